//go:build !cgo

package main

// libcCall: the static build has no libc to call.
func libcCall() string { return "none (static)" }
