//go:build cgo

package main

// #include <stdlib.h>
// #include <string.h>
// static int sum_abs(int a, int b) { return abs(a) + abs(b); }
import "C"

import (
	"fmt"
	"unsafe"
)

// libcCall goes through cgo into the system's libc.so.6.
func libcCall() string {
	s := C.CString("unikernel")
	defer C.free(unsafe.Pointer(s))
	return fmt.Sprint("cgo strlen ", C.strlen(s), " abs ", C.sum_abs(-40, 2))
}
