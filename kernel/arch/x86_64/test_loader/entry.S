/* Test loader: a stand-in for stage2 (and for a Linux-protocol VMM) so the kernel's 64-bit
 * entry can be tested with QEMU alone. QEMU boots this ELF by PVH with the kernel ELF as a
 * module (-initrd kernel.img); loader.cc copies its PT_LOADs to p_paddr, writes the hand-off
 * data and jumps to e_entry. Linked at 16 MiB, identity-mapped. Not part of kernel.img. */

  .section .note.Xen, "a", @note
  .p2align 2
  .long 4, 4, 18
  .asciz "Xen"
  .long loader_start32

  .section .bss
  .p2align 12
pml4: .skip 4096
pdpt: .skip 4096
pds:  .skip 4 * 4096          /* identity map of the first 4 GiB, 2 MiB pages */
stack: .skip 16384
stack_top:

  .section .data
  .p2align 3
gdt:
  .quad 0, 0
  .quad 0x00AF9A000000FFFF      /* 0x10: 64-bit code */
  .quad 0x00CF92000000FFFF      /* 0x18: data */
gdt_end:
gdtr:
  .word gdt_end - gdt - 1
  .quad gdt

  .text
  .code32
  .globl loader_start32
loader_start32:
  cli
  cld
  mov %ebx, %esi
  mov $pml4, %edi
  mov $(6 * 4096 / 4), %ecx
  xor %eax, %eax
  rep stosl
  movl $pdpt + 3, pml4
  mov $pdpt, %edi
  mov $pds + 3, %eax
  mov $4, %ecx
1:
  mov %eax, (%edi)
  add $4096, %eax
  add $8, %edi
  loop 1b
  mov $pds, %edi
  mov $0x83, %eax
  xor %edx, %edx
  mov $2048, %ecx
2:
  mov %eax, (%edi)
  mov %edx, 4(%edi)
  add $0x200000, %eax
  adc $0, %edx
  add $8, %edi
  loop 2b
  mov %cr4, %eax
  or $0x20, %eax
  mov %eax, %cr4
  mov $pml4, %eax
  mov %eax, %cr3
  mov $0xC0000080, %ecx
  rdmsr
  or $0x900, %eax
  wrmsr
  mov %cr0, %eax
  or $0x80000001, %eax
  mov %eax, %cr0
  lgdt gdtr
  ljmp $0x10, $loader_start64

  .code64
loader_start64:
  mov $0x18, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  mov $stack_top, %rsp
  mov %esi, %edi
  call loader_main
  ud2

/* [[noreturn]] jump_to_kernel(entry, rsi): the state our stage2 leaves (RDI = RDX = 0). */
  .globl jump_to_kernel
jump_to_kernel:
  mov %rdi, %rax
  xor %edi, %edi
  xor %edx, %edx
  jmp *%rax
