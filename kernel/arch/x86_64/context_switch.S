/* Kernel-mode context switch between threads (sched/scheduler.cc). Only the callee-saved
 * registers need saving: context_switch is an ordinary call, so the compiler already
 * assumes every other register is clobbered. RFLAGS is not switched: the kernel always
 * runs with interrupts off. */

  .text
/* void context_switch(uint64_t* save_rsp, uint64_t next_rsp) */
  .globl context_switch
  .p2align 4
context_switch:
  push %rbp
  push %rbx
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, (%rdi)
  mov %rsi, %rsp
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbx
  pop %rbp
  ret

/* First return of a new thread (its stack is prepared by sched::prepare_stack): rbx holds
 * the C++ start function, r12 its argument; rsp is 16-byte aligned here. */
  .globl thread_trampoline
thread_trampoline:
  xor %ebp, %ebp
  mov %r12, %rdi
  call *%rbx
  ud2
