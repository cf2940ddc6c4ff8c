// Entry of the harness's probe guest: a PVH kernel that stays in 32-bit protected mode
// with paging off (everything it touches is identity-addressed guest-physical memory).

// The PVH entry note (spec xen-pvh.md §1): name "Xen", type 18, the 32-bit entry address.
  .section .note.Xen, "a", @note
  .p2align 2
  .long 4            // name size ("Xen\0")
  .long 4            // descriptor size
  .long 18           // XEN_ELFNOTE_PHYS32_ENTRY
  .asciz "Xen"
  .long probe_entry

  .text
  .code32
  .globl probe_entry
probe_entry:
  cli
  // The loader gives no stack: use our own; ebx holds the start info's address.
  movl $probe_stack_top, %esp
  pushl %ebx
  call probe_main
1:
  hlt
  jmp 1b

  .bss
  .p2align 12
probe_stack:
  .skip 16384
probe_stack_top:
  .p2align 12
  .globl probe_hypercall_page
probe_hypercall_page:
  .skip 4096
