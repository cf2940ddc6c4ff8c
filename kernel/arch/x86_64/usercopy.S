/* User-memory access primitives. Each faulting instruction has an __ex_table entry
 * {instruction, fixup}: a page fault there first tries demand paging, then resumes at the
 * fixup (traps.cc). Callers check ranges (usercopy.cc). */

  .text
/* size_t usercopy_raw(void* dst, const void* src, size_t n) → bytes NOT copied (0 = ok).
 * Eight bytes per iteration, then the tail (string instructions run one iteration at a
 * time when a hypervisor emulates the kernel). */
  .globl usercopy_raw
usercopy_raw:
  mov %rdx, %rcx
  shr $3, %rcx
  and $7, %edx
1:
  rep movsq
  mov %rdx, %rcx
2:
  rep movsb
  xor %eax, %eax
  ret
3:
  lea (%rdx,%rcx,8), %rax       /* fault in the qword part: remaining qwords + tail */
  ret
4:
  mov %rcx, %rax
  ret
  .section __ex_table, "a"
  .quad 1b, 3b
  .quad 2b, 4b
  .text

/* size_t userclear_raw(void* dst, size_t n) → bytes NOT cleared */
  .globl userclear_raw
userclear_raw:
  mov %rsi, %rdx
  mov %rsi, %rcx
  shr $3, %rcx
  and $7, %edx
  xor %eax, %eax
5:
  rep stosq
  mov %rdx, %rcx
6:
  rep stosb
  xor %eax, %eax
  ret
7:
  lea (%rdx,%rcx,8), %rax
  ret
8:
  mov %rcx, %rax
  ret
  .section __ex_table, "a"
  .quad 5b, 7b
  .quad 6b, 8b
  .text

/* long userstr_raw(char* dst, const char* src, size_t max): copies up to max bytes, stopping
 * after a NUL. Returns the length before the NUL, max if no NUL was seen, -1 on a fault.
 * Bytes until src is 8-aligned, then aligned words while a whole word fits in max and holds
 * no NUL ((w - 0x01..01) & ~w & 0x80..80 is non-zero exactly when some byte is 0), then
 * bytes again. Aligned words never cross into a page the string does not reach; under
 * emulation the word loop costs ~1.7 instructions a byte against 7 for the byte loop. */
  .globl userstr_raw
userstr_raw:
  xor %eax, %eax
  movabs $0x0101010101010101, %r8
  movabs $0x8080808080808080, %r9
10:
  cmp %rdx, %rax
  jae 12f
  lea (%rsi,%rax), %rcx
  test $7, %cl
  jnz 11f                        /* src + rax not aligned: a byte */
  lea 8(%rax), %rcx
  cmp %rdx, %rcx
  ja 11f                         /* no whole word left within max: a byte */
20:
  mov (%rsi,%rax), %rcx
  mov %rcx, %r10
  sub %r8, %r10
  mov %rcx, %r11
  not %r11
  and %r11, %r10
  and %r9, %r10
  jnz 11f                        /* a NUL in this word: bytes until it */
  mov %rcx, (%rdi,%rax)
  add $8, %rax
  jmp 10b
11:
  movb (%rsi,%rax), %cl
  movb %cl, (%rdi,%rax)
  test %cl, %cl
  jz 12f
  inc %rax
  jmp 10b
12:
  ret
13:
  mov $-1, %rax
  ret
  .section __ex_table, "a"
  .quad 11b, 13b
  .quad 20b, 13b
  .text
