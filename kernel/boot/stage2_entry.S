/* stage2's machine-mode glue (everything else is C++ in stage2_main.cc):
 *   - entry at 0000:8000 from stage1 in real mode (DL = BIOS boot drive) → 32-bit protected mode;
 *   - bios_disk_read: a thunk back to real mode for INT 13h AH=42h (it must live below 64 KiB
 *     and the stack too: both are, see stage2.ld);
 *   - enter_long_mode: paging + EFER.LME|NXE, then the kernel's 64-bit entry. */
#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define SEL_CODE16 0x18
#define SEL_DATA16 0x20
#define SEL_CODE64 0x28

  .section .text.entry, "ax"
  .code16
  .globl stage2_start
stage2_start:
  cli
  cld
  xor %ax, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov $__stack_top, %sp
  movzbl %dl, %edx
  mov %edx, boot_drive32
  lgdtl gdtr
  mov %cr0, %eax
  or $1, %eax
  mov %eax, %cr0
  ljmpl $SEL_CODE32, $pm_entry

  .code32
pm_entry:
  mov $SEL_DATA32, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %fs
  mov %eax, %gs
  mov %eax, %ss
  mov $__stack_top, %esp
  mov $__bss_start, %edi      /* zero .bss */
  mov $__bss_end, %ecx
  sub %edi, %ecx
  xor %eax, %eax
  rep stosb
  push boot_drive32
  call stage2_main            /* never returns */
1:
  cli
  hlt
  jmp 1b

/* uint32_t bios_disk_read(uint32_t drive, uint32_t dap): INT 13h AH=42h with DS:SI = 0:dap.
 * Returns 0, or 0x100 | AH on failure. cdecl; ebx/esi/edi/ebp preserved. */
  .globl bios_disk_read
bios_disk_read:
  push %ebp
  push %ebx
  push %esi
  push %edi
  mov 20(%esp), %edx
  mov 24(%esp), %esi
  mov %esp, saved_esp
  ljmp $SEL_CODE16, $thunk16

  .code16
thunk16:
  mov $SEL_DATA16, %ax        /* 64 KiB limits before leaving protected mode */
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov %cr0, %eax
  and $0xFFFFFFFE, %eax
  mov %eax, %cr0
  ljmp $0, $real16
real16:
  xor %ax, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  lidt real_idtr
  sti
  mov $0x4200, %ax
  int $0x13
  cli
  mov $0, %ebx
  jnc 2f
  movzbl %ah, %ebx
  or $0x100, %ebx
2:
  lgdtl gdtr
  mov %cr0, %eax
  or $1, %eax
  mov %eax, %cr0
  ljmpl $SEL_CODE32, $back32

  .code32
back32:
  mov $SEL_DATA32, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %fs
  mov %eax, %gs
  mov %eax, %ss
  mov saved_esp, %esp
  mov %ebx, %eax
  pop %edi
  pop %esi
  pop %ebx
  pop %ebp
  ret

/* [[noreturn]] void enter_long_mode(uint32_t pml4, const uint64_t* entry) */
  .globl enter_long_mode
enter_long_mode:
  mov 4(%esp), %eax
  mov 8(%esp), %esi
  mov %eax, %cr3
  mov %cr4, %eax
  or $0x20, %eax              /* PAE */
  mov %eax, %cr4
  mov $0xC0000080, %ecx       /* EFER: LME | NXE */
  rdmsr
  or $0x900, %eax
  wrmsr
  mov %cr0, %eax
  or $0x80000001, %eax        /* PG | PE */
  mov %eax, %cr0
  ljmp $SEL_CODE64, $long64

  .code64
long64:
  mov $SEL_DATA32, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  mov %eax, %fs
  mov %eax, %gs
  mov %esi, %esi              /* upper halves are undefined after the switch */
  mov (%rsi), %rax
  xor %edi, %edi              /* RDI = RSI = RDX = 0: "booted by stage2, region table at 0x7DAA" */
  xor %esi, %esi
  xor %edx, %edx
  jmp *%rax

  .section .data.entry, "aw"
  .p2align 3
gdt:
  .quad 0
  .quad 0x00CF9A000000FFFF    /* 0x08 code32 flat */
  .quad 0x00CF92000000FFFF    /* 0x10 data32 flat */
  .quad 0x00009A000000FFFF    /* 0x18 code16, 64 KiB */
  .quad 0x000092000000FFFF    /* 0x20 data16, 64 KiB */
  .quad 0x00AF9A000000FFFF    /* 0x28 code64 */
gdt_end:
gdtr:
  .word gdt_end - gdt - 1
  .long gdt
real_idtr:
  .word 0x3FF
  .long 0
  .p2align 2
saved_esp:
  .long 0
  .globl boot_drive32
boot_drive32:
  .long 0
