//go:build !linux

package main

import "io"

// contain runs every command in this process: only Linux has the
// namespaces and parent-death signals that keep a run from outliving
// itself (contain_linux.go).
func contain([]string, io.Writer) (code int, done bool, release func()) {
	return 0, false, func() {}
}
