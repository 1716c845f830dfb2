package child

import "syscall"

// SysProcAttr returns attr, or a new one, set to put a child in its own
// process group, so that a signal reaches all of it, and to have the kernel
// kill it when the thread that started it dies, so that a SIGKILLed runner
// leaves no child behind.
func SysProcAttr(attr *syscall.SysProcAttr) *syscall.SysProcAttr {
	if attr == nil {
		attr = &syscall.SysProcAttr{}
	}
	attr.Setpgid, attr.Pdeathsig = true, syscall.SIGKILL
	return attr
}
