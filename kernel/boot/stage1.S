/* stage1: the MBR sector (BIOS loads it at 0000:7C00, DL = boot drive).
 *
 * Serial COM1 9600 8N1, A20 on, reads stage2 (S2 bytes, from LBA 1) to 0000:8000 with INT 13h
 * AH=42h, collects the E820 map as 20-byte region records growing down from 0x7D96 (record 0
 * is the stage2 descriptor at 0x7DAA, which the BIOS loaded with this sector), masks the PICs
 * and jumps to stage2 with DL = boot drive.
 *
 * The E820 records overwrite the END of this sector's code, so the E820 loop and the final jump
 * sit at the START of the sector (below every record they write) and run last. */
#define STAGE1_STACK 0x7000
#define REGION_ANCHOR 0x7DAA
#define REGION_RECORD 20
#define E820_MAX 14 /* records stay above the E820 code (checked in boot.ld) */

  .code16
  .section .stage1, "ax"
  .globl stage1_start
stage1_start:
  jmp main

boot_drive: .byte 0

/* ---- runs last: E820 into the region table, then stage2 ---- */
collect_e820:
  mov $REGION_ANCHOR - REGION_RECORD, %di
  xor %ebx, %ebx
  mov $E820_MAX, %bp
1:
  mov $0xE820, %eax
  mov $0x534D4150, %edx       /* "SMAP" */
  mov $REGION_RECORD, %ecx
  movl $0, 16(%di)            /* BIOSes that return 20 bytes leave the rest alone */
  int $0x15
  jc e820_end
  cmp $0x534D4150, %eax
  jne e820_end
  sub $REGION_RECORD, %di
  dec %bp
  jz e820_end
  test %ebx, %ebx
  jnz 1b
e820_end:
  movl $0, 16(%di)            /* type 0 ends the table */
  mov $0xFF, %al              /* mask both 8259s: stage2 and the kernel run with IRQs off */
  out %al, $0xA1
  out %al, $0x21
  cli
  mov boot_drive, %dl
  ljmp $0, $0x8000
e820_code_end:

/* ---- runs first ---- */
main:
  cli
  xor %ax, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov $STAGE1_STACK, %sp
  ljmp $0, $2f
2:
  sti
  cld
  mov %dl, boot_drive

  mov $0x00E3, %ax            /* INT 14h AH=0: 9600 baud, no parity, 1 stop, 8 bits */
  xor %dx, %dx
  int $0x14

  in $0x92, %al               /* A20 through the "fast A20" port (PC chipsets, QEMU) */
  or $2, %al
  and $0xFE, %al
  out %al, $0x92
  call a20_kbd                /* and the keyboard controller, for older chipsets */

  /* Read stage2: S2/512 sectors from LBA 1, at most 127 per call. */
  mov REGION_ANCHOR + 8, %cx  /* S2 (low 16 bits; stage2 is far below 32 MiB) */
  shr $9, %cx
  jz disk_error
read_more:
  mov %cx, %ax
  cmp $127, %ax
  jbe 3f
  mov $127, %ax
3:
  mov %ax, dap_count
  mov $dap, %si
  mov boot_drive, %dl
  push %ax
  push %cx
  mov $0x42, %ah
  int $0x13
  pop %cx
  pop %ax
  jc disk_error
  add %ax, dap_lba
  mov %ax, %bx
  shl $5, %bx                 /* 512/16 paragraphs per sector */
  add %bx, dap_segment
  sub %ax, %cx
  jnz read_more
  jmp collect_e820

a20_kbd:
  call kbd_wait
  mov $0xD1, %al
  out %al, $0x64
  call kbd_wait
  mov $0xDF, %al
  out %al, $0x60
kbd_wait:
  mov $0xFFFF, %cx            /* bounded: a missing controller must not hang the boot */
4:
  in $0x64, %al
  test $2, %al
  loopnz 4b
  ret

disk_error:
  mov $msg_disk, %si
  mov $0x3F8, %dx
5:
  lodsb
  test %al, %al
  jz 7f
  mov %al, %ah
  add $5, %dx                 /* line status: wait for the transmit holding register */
6:
  in %dx, %al
  test $0x20, %al
  jz 6b
  sub $5, %dx
  mov %ah, %al
  out %al, %dx
  jmp 5b
7:
  cli
  hlt
  jmp 7b

msg_disk: .asciz "stage1: disk read error\r\n"

  .p2align 2
dap:
  .byte 16, 0
dap_count:
  .word 0
  .word 0                     /* offset */
dap_segment:
  .word 0x0800                /* 0800:0000 = 0x8000 */
dap_lba:
  .quad 1

  /* `.org 0x1AA` below fails if the code overflows into the descriptor; boot.ld checks that
   * the lowest E820 record stays above the code still running while it is written. */
  .globl e820_code_end

  .org 0x1AA
  /* Stage2 descriptor = region record 0 (type 12, REGION_FILESYSTEM). nanos-mkimage reads it. */
  .long 0x8000, 0
  .long __stage2_size         /* from the linker script: stage2 padded to 512 */
  .long 0
  .long 12
  /* 0x1BE: partition table, written by the image writer. */
  .org 0x1FE
  .byte 0x55, 0xAA
