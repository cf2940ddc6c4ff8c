/* User-memory access primitives. Each faulting instruction has an __ex_table entry
 * {instruction, fixup}: a page fault there first tries demand paging, then resumes at the
 * fixup (traps.cc). Callers check ranges (usercopy.cc). */

  .text
/* size_t usercopy_raw(void* dst, const void* src, size_t n) → bytes NOT copied (0 = ok) */
  .globl usercopy_raw
usercopy_raw:
  mov %rdx, %rcx
1:
  rep movsb
  xor %eax, %eax
  ret
2:
  mov %rcx, %rax
  ret
  .section __ex_table, "a"
  .quad 1b, 2b
  .text

/* size_t userclear_raw(void* dst, size_t n) → bytes NOT cleared */
  .globl userclear_raw
userclear_raw:
  mov %rsi, %rcx
  xor %eax, %eax
3:
  rep stosb
  xor %eax, %eax
  ret
4:
  mov %rcx, %rax
  ret
  .section __ex_table, "a"
  .quad 3b, 4b
  .text

/* long userstr_raw(char* dst, const char* src, size_t max): copies up to max bytes, stopping
 * after a NUL. Returns the length before the NUL, max if no NUL was seen, -1 on a fault. */
  .globl userstr_raw
userstr_raw:
  xor %eax, %eax
5:
  cmp %rdx, %rax
  jae 7f
6:
  movb (%rsi,%rax), %cl
  movb %cl, (%rdi,%rax)
  test %cl, %cl
  jz 7f
  inc %rax
  jmp 5b
7:
  ret
8:
  mov $-1, %rax
  ret
  .section __ex_table, "a"
  .quad 6b, 8b
  .text
