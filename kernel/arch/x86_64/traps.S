/* Exception and interrupt entry stubs: each pushes (error code or 0) and the vector, then the
 * common path saves the general registers as an arch::TrapFrame and calls
 * trap_dispatch(frame). */

.macro TRAP_NOERR vec
  .p2align 4
trap_stub_\vec:
  pushq $0
  pushq $\vec
  jmp trap_common
.endm
.macro TRAP_ERR vec
  .p2align 4
trap_stub_\vec:
  pushq $\vec
  jmp trap_common
.endm

  .text
TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR 8
TRAP_NOERR 9
TRAP_ERR 10
TRAP_ERR 11
TRAP_ERR 12
TRAP_ERR 13
TRAP_ERR 14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR 17
TRAP_NOERR 18
TRAP_NOERR 19
TRAP_NOERR 20
TRAP_ERR 21
TRAP_NOERR 22
TRAP_NOERR 23
TRAP_NOERR 24
TRAP_NOERR 25
TRAP_NOERR 26
TRAP_NOERR 27
TRAP_NOERR 28
TRAP_ERR 29
TRAP_ERR 30
TRAP_NOERR 31
/* The local APIC timer (arch::kTimerVector) and, for every other vector, the spurious one. */
TRAP_NOERR 240
TRAP_NOERR 255

/* Device vectors 0x20..0xEF (irq::kFirstStubVector..kLastDeviceVector), one stub each;
 * trap_device_stubs (below, in .rodata) lists their addresses. */
  .altmacro
.macro DEVICE_STUB v
  .p2align 4
trap_stub_\v:
  pushq $0
  pushq $\v
  jmp trap_common
.endm
.macro DEVICE_STUB_ADDRESS v
  .quad trap_stub_\v
.endm
  .set device_vector, 0x20
  .rept 0xF0 - 0x20
  DEVICE_STUB %device_vector
  .set device_vector, device_vector + 1
  .endr

  .globl trap_common
trap_common:
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
  mov %rsp, %rdi
  mov %rsp, %rbx
  and $-16, %rsp
  call trap_dispatch
  mov %rbx, %rsp
  .globl trap_return
trap_return:
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
  add $16, %rsp   /* vector, error code */
  iretq

  .section .rodata
  .p2align 3
  .globl trap_stub_table
trap_stub_table:
  .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  .quad trap_stub_\v
  .endr
  .globl trap_stub_spurious
trap_stub_spurious:
  .quad trap_stub_255
  .globl trap_stub_timer
trap_stub_timer:
  .quad trap_stub_240
  .globl trap_device_stubs
trap_device_stubs:
  .set device_vector, 0x20
  .rept 0xF0 - 0x20
  DEVICE_STUB_ADDRESS %device_vector
  .set device_vector, device_vector + 1
  .endr
  .noaltmacro
