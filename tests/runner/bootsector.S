/* A 512-byte BIOS boot sector standing in for a unikernel image in nanos-run's tests:
 * prints one line on COM1 and writes EXIT_CODE to QEMU's isa-debug-exit port 0x501
 * (QEMU then exits (EXIT_CODE << 1) | 1). With SPIN defined it prints and spins forever
 * (timeout and signal tests). Assembled at test time:
 *   as --defsym EXIT_CODE=3 bootsector.S -o b.o && ld -Ttext=0x7c00 --oformat binary b.o -o b.img
 */
        .code16
        .globl _start
_start:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    $message, %si
next:
        lodsb
        testb   %al, %al
        jz      done
        movw    $0x3f8, %dx       /* COM1 data register; QEMU's UART needs no setup */
        outb    %al, %dx
        jmp     next
done:
.ifdef SPIN
spin:
        jmp     spin
.else
        movw    $0x501, %dx
        movb    $EXIT_CODE, %al
        outb    %al, %dx
        hlt                       /* not reached: QEMU exits on the write */
.endif

message:
        .asciz  "test sector says hello\n"

        . = _start + 510
        .byte   0x55, 0xaa
