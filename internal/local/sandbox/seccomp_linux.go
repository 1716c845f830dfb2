//go:build linux

package sandbox

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// denied are the system calls a function gets EPERM for: the kernel's
// key store, whose quota is per user, so that a function would spend the
// quota of the runner's user, whom its sandbox user is to the kernel (red
// team round 14); and ptrace and cross-process memory access, with which
// it could reach the sandbox's own processes (its init, the forwarder, the
// emulator). Docker's default profile denies the same.
var denied = []uint32{unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY, unix.SYS_KEYCTL,
	unix.SYS_PTRACE, unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV}

// x32 marks x86-64's x32 system calls, whose numbers would slip past a
// filter of the native ones.
const x32 = 0x40000000

// filter is the classic BPF program bwrap loads with --seccomp: system
// calls of another architecture than this machine's (i386 on x86-64) and
// of x32 are denied with ENOSYS, those in denied with EPERM.
func filter() ([]byte, error) {
	arch := map[string]uint32{"amd64": unix.AUDIT_ARCH_X86_64, "arm64": unix.AUDIT_ARCH_AARCH64}[runtime.GOARCH]
	if arch == 0 {
		return nil, fmt.Errorf("no system call filter for %s", runtime.GOARCH)
	}
	n := uint8(len(denied))
	prog := []bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4}, // seccomp_data.arch
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch, SkipFalse: n + 3},
		bpf.LoadAbsolute{Off: 0, Size: 4}, // seccomp_data.nr
		bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32, SkipTrue: n + 1},
	}
	for i, nr := range denied {
		prog = append(prog, bpf.JumpIf{Cond: bpf.JumpEqual, Val: nr, SkipTrue: n - uint8(i) + 1})
	}
	prog = append(prog,
		bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW},
		bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)},
		bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
	)
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, 8*len(raw))
	for _, ins := range raw { // struct sock_filter, in this machine's byte order
		out = binary.NativeEndian.AppendUint16(out, ins.Op)
		out = append(out, ins.Jt, ins.Jf)
		out = binary.NativeEndian.AppendUint32(out, ins.K)
	}
	return out, nil
}

// Seccomp is a file to give bwrap as --seccomp FD: it holds the filter.
func Seccomp() (*os.File, error) {
	prog, err := filter()
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if _, err := w.Write(prog); err != nil { // a few hundred bytes: a pipe holds them
		r.Close()
		return nil, err
	}
	return r, nil
}
