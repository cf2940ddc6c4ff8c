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
 * after a NUL. Returns the length before the NUL, max if no NUL was seen, -1 on a fault. */
  .globl userstr_raw
userstr_raw:
  xor %eax, %eax
10:
  cmp %rdx, %rax
  jae 12f
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
  .text
