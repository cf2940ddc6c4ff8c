/* SYSCALL entry and the ways back to ring 3. One CPU; the kernel runs with interrupts off
 * (FMASK clears IF on entry), user mode with interrupts on. syscall_kernel_rsp is the
 * running thread's kernel stack top (the scheduler sets it on every switch, gdt.cc); no
 * swapgs is needed because the kernel never uses GS. The frame layout is arch::TrapFrame
 * (user.h). */

#define USER_CS 0x33  /* arch::kUserCodeSelector */
#define USER_SS 0x2b  /* arch::kUserDataSelector */
#define TF_RCX 12*8
#define TF_R11 4*8
#define TF_RAX 14*8
#define TF_RIP 17*8
#define TF_RFLAGS 19*8
#define TF_RSP 20*8

  .data
  .p2align 3
syscall_user_rsp:
  .quad 0
  .globl current_syscall_frame_ptr
current_syscall_frame_ptr:
  .quad 0

  .text
  .globl syscall_entry
  .p2align 4
syscall_entry:
  mov %rsp, syscall_user_rsp(%rip)
  mov syscall_kernel_rsp(%rip), %rsp
  pushq $USER_SS
  pushq syscall_user_rsp(%rip)
  push %r11                 /* rflags */
  pushq $USER_CS
  push %rcx                 /* rip */
  pushq $0                  /* error code */
  pushq $0xFFFF             /* vector: syscall */
  push %rax
  push %rbx
  push %rcx
  push %rdx
  push %rsi
  push %rdi
  push %rbp
  push %r8
  push %r9
  push %r10
  push %r11
  push %r12
  push %r13
  push %r14
  push %r15
  cld
  mov %rsp, current_syscall_frame_ptr(%rip)
  /* unix_syscall(nr, a0..a5): the SysV ABI wants a5 on the stack, rsp 16-aligned at call. */
  sub $8, %rsp
  push %r9
  mov %r8, %r9
  mov %r10, %r8
  mov %rdx, %rcx
  mov %rsi, %rdx
  mov %rdi, %rsi
  mov %rax, %rdi
  call *syscall_handler_ptr(%rip)
  add $16, %rsp
  mov %rax, TF_RAX(%rsp)
  movq $0, current_syscall_frame_ptr(%rip)

  /* SYSRET is possible when the frame still says rcx = rip and r11 = rflags (the SYSCALL
   * convention) and rip is canonical user space; otherwise return through IRET. */
  mov TF_RIP(%rsp), %rcx
  cmp TF_RCX(%rsp), %rcx
  jne 1f
  mov TF_RFLAGS(%rsp), %r11
  cmp TF_R11(%rsp), %r11
  jne 1f
  movabs $0x00007FFFFFFFF000, %rax
  cmp %rax, %rcx
  jae 1f
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %r11
  pop %r10
  pop %r9
  pop %r8
  pop %rbp
  pop %rdi
  pop %rsi
  pop %rdx
  pop %rcx
  pop %rbx
  pop %rax
  mov 5*8(%rsp), %rsp       /* skip vector, error, rip, cs, rflags → user rsp */
  sysretq
1:
  /* The frame may have been rewritten (rt_sigreturn...): never return with more privilege;
   * user mode always runs with interrupts on (IF). */
  andq $0xCD5, TF_RFLAGS(%rsp)
  orq $0x202, TF_RFLAGS(%rsp)
  movq $USER_CS, TF_RIP+8(%rsp)
  movq $USER_SS, TF_RSP+8(%rsp)
  jmp trap_return

/* [[noreturn]] return_to_user_frame(const TrapFrame* frame): copies the frame to the top of
 * the kernel stack and returns through IRET. */
  .globl return_to_user_frame
return_to_user_frame:
  mov syscall_kernel_rsp(%rip), %rsp
  sub $22*8, %rsp
  mov %rdi, %rsi
  mov %rsp, %rdi
  mov $22, %ecx
  rep movsq
  jmp trap_return


/* Boot-time probe helpers (user.cc: probe_syscall_path): a minimal setjmp/longjmp.
 * Context: rbx, rbp, r12, r13, r14, r15, rsp, rip. */
  .globl kcontext_save
kcontext_save:
  mov %rbx, 0(%rdi)
  mov %rbp, 8(%rdi)
  mov %r12, 16(%rdi)
  mov %r13, 24(%rdi)
  mov %r14, 32(%rdi)
  mov %r15, 40(%rdi)
  lea 8(%rsp), %rax
  mov %rax, 48(%rdi)
  mov (%rsp), %rax
  mov %rax, 56(%rdi)
  xor %eax, %eax
  ret

  .globl kcontext_resume
kcontext_resume:
  mov 0(%rdi), %rbx
  mov 8(%rdi), %rbp
  mov 16(%rdi), %r12
  mov 24(%rdi), %r13
  mov 32(%rdi), %r14
  mov 40(%rdi), %r15
  mov 48(%rdi), %rsp
  mov %esi, %eax
  jmp *56(%rdi)

/* The SYSCALL trampoline for hypervisors whose SYSCALL from user mode jumps to LSTAR but
 * stays in user mode (see user.cc). Its page is mapped user-executable at
 * arch::kSyscallTrampolineVa; INT3 then enters the kernel through the IDT (kvm-pvm turns
 * INT 0x80 into #UD, but delivers breakpoints). */
  .section .text.user_trampoline, "ax"
  .p2align 12
  .globl syscall_trampoline_page
syscall_trampoline_page:
  int3
  ud2
  .p2align 12
