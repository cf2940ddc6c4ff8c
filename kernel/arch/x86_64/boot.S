/* Kernel entry points.
 *
 *  pvh_start32: PVH (Xen note type 18; QEMU -kernel, Xen, microvm). 32-bit protected mode,
 *               paging off, EBX = physical address of struct hvm_start_info.
 *  _start64:    64-bit entry; the ELF e_entry is its PHYSICAL address, so loaders that
 *               identity-map low memory can enter it: our stage2 (which also maps the
 *               segments at p_vaddr; RSI = 0, region table at physical 0x7DAA) and VMMs
 *               using the Linux 64-bit boot protocol (Firecracker; RSI = zero page).
 *
 * Both build the same early page tables inside the image (.bss.boot, never the 0xF0000 BIOS
 * area): identity and kernel-half maps of the first 1 GiB with 2 MiB pages. They then call
 * kernel_entry(path, start_info_phys) on the boot stack. */

#define KERNEL_VMA 0xFFFFFFFF80000000
#define PHYS(x) ((x) - KERNEL_VMA)
#define BOOT_PATH_STAGE2 0
#define BOOT_PATH_PVH 1
#define BOOT_PATH_LINUX 2

/* ---- the PVH note ---- */
  .section .note.Xen, "a", @note
  .p2align 2
  .long 4          /* name size: "Xen\0" */
  .long 4          /* descriptor size */
  .long 18         /* XEN_ELFNOTE_PHYS32_ENTRY */
  .asciz "Xen"
  .long PHYS(pvh_start32)

/* ---- early data ---- */
  .section .data
  .p2align 3
  .globl boot_tsc_at_entry
boot_tsc_at_entry:
  .quad 0

  .p2align 3
boot_gdt:
  .quad 0
  .quad 0
  .quad 0x00AF9A000000FFFF   /* 0x10: 64-bit code (same selectors as arch/x86_64/segments.h) */
  .quad 0x00CF92000000FFFF   /* 0x18: data */
boot_gdt_end:
boot_gdtr32:
  .word boot_gdt_end - boot_gdt - 1
  .long PHYS(boot_gdt)

  .section .bss.boot, "aw", @nobits
  .p2align 12
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096
  .globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:               /* left unmapped by mm::init: overflow faults */
  .skip 4096
boot_stack_bottom:
  .skip 65536                   /* kernel_main and unix::start run here */
boot_stack_top:

/* ---- PVH 32-bit entry ---- */
  .section .text.boot32, "ax"
  .code32
  .globl pvh_start32
pvh_start32:
  cli
  cld
  mov %ebx, %esi                /* keep start_info */
  rdtsc
  mov %eax, PHYS(boot_tsc_at_entry)
  mov %edx, PHYS(boot_tsc_at_entry) + 4

  /* Zero the four table pages, then link PML4 → PDPTs → one PD of 2 MiB pages. */
  mov $PHYS(boot_pml4), %edi
  mov $4096, %ecx
  xor %eax, %eax
  rep stosl
  movl $PHYS(boot_pdpt_low) + 3, PHYS(boot_pml4)
  movl $PHYS(boot_pdpt_high) + 3, PHYS(boot_pml4) + 511 * 8
  movl $PHYS(boot_pd) + 3, PHYS(boot_pdpt_low)
  movl $PHYS(boot_pd) + 3, PHYS(boot_pdpt_high) + 510 * 8
  mov $PHYS(boot_pd), %edi
  mov $0x83, %eax               /* present, writable, 2 MiB */
  mov $512, %ecx
1:
  mov %eax, (%edi)
  add $0x200000, %eax
  add $8, %edi
  loop 1b

  mov %cr4, %eax
  or $0x20, %eax                /* PAE */
  mov %eax, %cr4
  mov $PHYS(boot_pml4), %eax
  mov %eax, %cr3
  mov $0xC0000080, %ecx         /* EFER: LME | NXE */
  rdmsr
  or $0x900, %eax
  wrmsr
  mov %cr0, %eax
  or $0x80010001, %eax          /* PG | WP | PE */
  mov %eax, %cr0
  lgdt PHYS(boot_gdtr32)
  ljmp $0x10, $PHYS(pvh_long_low)

  .code64
pvh_long_low:
  movabs $pvh_long_high, %rax
  jmp *%rax

  .section .text.boot64, "ax"
pvh_long_high:
  mov $0x18, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  mov %eax, %fs
  mov %eax, %gs
  mov %esi, %esi                /* upper halves are undefined after the mode switch */
  mov $BOOT_PATH_PVH, %edi
  jmp boot_common

/* ---- 64-bit entry (ELF e_entry = its physical address) ---- */
  .globl _start64
_start64:
  cli
  cld
  rdtsc
  mov %eax, boot_tsc_at_entry(%rip)
  mov %edx, boot_tsc_at_entry + 4(%rip)
  /* Same tables, written RIP-relative: through whichever mapping we run on (the loader's
   * identity map, or stage2's p_vaddr mapping). RSI is kept for the Linux zero page. */
  lea boot_pml4(%rip), %rdi
  mov $2048, %ecx
  xor %eax, %eax
  rep stosq
  movq $PHYS(boot_pdpt_low) + 3, boot_pml4(%rip)
  movq $PHYS(boot_pdpt_high) + 3, boot_pml4 + 511 * 8(%rip)
  movq $PHYS(boot_pd) + 3, boot_pdpt_low(%rip)
  movq $PHYS(boot_pd) + 3, boot_pdpt_high + 510 * 8(%rip)
  lea boot_pd(%rip), %rdi
  mov $0x83, %eax
  mov $512, %ecx
2:
  mov %rax, (%rdi)
  add $0x200000, %rax
  add $8, %rdi
  loop 2b
  mov $PHYS(boot_pml4), %eax
  mov %rax, %cr3
  lgdt boot_gdtr64(%rip)
  /* Reload CS through a far return, landing at the kernel-half address. */
  movabs $3f, %rax
  pushq $0x10
  push %rax
  lretq
3:
  mov $0x18, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  mov %eax, %fs
  mov %eax, %gs
  mov $BOOT_PATH_STAGE2, %edi
  test %rsi, %rsi
  jz boot_common
  mov $BOOT_PATH_LINUX, %edi

boot_common:
  lea boot_stack_top(%rip), %rsp
  xor %ebp, %ebp
  mov %rdi, %r12
  mov %rsi, %r13
  lea __bss_start(%rip), %rdi
  lea __bss_end(%rip), %rcx
  sub %rdi, %rcx
  shr $3, %rcx                  /* kernel.ld aligns .bss to 64 bytes */
  xor %eax, %eax
  rep stosq
  mov %r12, %rdi
  mov %r13, %rsi
  call kernel_entry
  ud2

  .section .data
  .p2align 3
boot_gdtr64:
  .word boot_gdt_end - boot_gdt - 1
  .quad boot_gdt
