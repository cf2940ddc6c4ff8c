// A small shared library for runner.gdb-attach: gdb must find its symbols at the address
// the guest's dynamic loader put it.
int greet_twice(int x) {
  return 2 * x + 1;
}
