/* The page Xen fills with one 32-byte hypercall stub per hypercall number once its
 * physical address is written to the MSR named by CPUID (see hypercall.cc). It lives in
 * .text so it is mapped executable; Xen writes it through guest-physical memory, so the
 * read-only kernel mapping does not matter. Filled with int3 until then, so a hypercall
 * made before the page was installed traps instead of running garbage. */
  .section .text.xen_hypercall_page, "ax", @progbits
  .balign 4096
  .globl xen_hypercall_page
xen_hypercall_page:
  .fill 4096, 1, 0xcc
