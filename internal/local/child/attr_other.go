//go:build !linux

package child

import "syscall"

// SysProcAttr returns attr, or a new one, set to put a child in its own
// process group, so that a signal reaches all of it. Only Linux has a
// parent-death signal.
func SysProcAttr(attr *syscall.SysProcAttr) *syscall.SysProcAttr {
	if attr == nil {
		attr = &syscall.SysProcAttr{}
	}
	attr.Setpgid = true
	return attr
}
