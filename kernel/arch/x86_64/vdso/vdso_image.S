/* The linked vDSO (vdso.so, built by freestanding.cmake) inside the kernel image. */
  .section .rodata
  .p2align 12
  .globl vdso_image_start, vdso_image_end
vdso_image_start:
  .incbin VDSO_SO_PATH
vdso_image_end:
