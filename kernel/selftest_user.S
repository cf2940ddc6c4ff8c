/* User-mode program of the kernel-core self-test (copied to a user page; position
 * independent). Each step reports through a syscall the self-test handles. */
  .section .rodata
  .globl selftest_user_start, selftest_user_end
selftest_user_start:
  mov $42, %eax
  mov $1, %edi
  mov $2, %esi
  mov $3, %edx
  mov $4, %r10d
  mov $5, %r8d
  mov $6, %r9d
  syscall
  mov %rax, %rdi          /* the handler returned 7 */
  mov $43, %eax
  syscall
  movabs $0x10000000, %rbx  /* not mapped: the page-fault hook maps it (demand paging) */
  movl $0x12345678, (%rbx)
  mov (%rbx), %edi
  mov $44, %eax
  syscall
  mov $3, %ecx            /* SSE2 in user mode */
  cvtsi2sd %rcx, %xmm0
  mulsd %xmm0, %xmm0
  cvttsd2si %xmm0, %rdi
  mov $45, %eax
  syscall
  mov $47, %eax           /* the kernel rewrites the frame: resume after the ud2, rdi = 77 */
  syscall
  ud2
  mov $48, %eax
  syscall
  mov %fs:8, %rdi         /* FS base (TLS) set by the kernel before entry */
  mov $46, %eax
  syscall
  movabs $0xFFFFFFFF80200000, %rbx  /* kernel memory: must fault to the fault hook */
  mov (%rbx), %rax        /* 3 bytes; the hook resumes after it with rax = 0x55 */
  mov %rax, %rdi
  mov $49, %eax
  syscall
  ud2                     /* SIGILL: the hook finishes the self-test */
  .globl selftest_user_spin
selftest_user_spin:       /* entered last: only the timer interrupt can end this loop */
  pause
  jmp selftest_user_spin
selftest_user_end:
