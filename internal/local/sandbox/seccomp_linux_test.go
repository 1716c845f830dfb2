//go:build linux

package sandbox

import (
	"encoding/binary"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// TestFilterDecides runs the filter on system calls: the key store, ptrace
// and cross-process memory get EPERM, x32 and another architecture ENOSYS,
// everything else through.
func TestFilterDecides(t *testing.T) {
	prog, err := filter()
	if err != nil {
		t.Skipf("no filter on %s: %v", runtime.GOARCH, err)
	}
	var raw []bpf.RawInstruction
	for i := 0; i < len(prog); i += 8 {
		raw = append(raw, bpf.RawInstruction{Op: binary.NativeEndian.Uint16(prog[i:]), Jt: prog[i+2], Jf: prog[i+3], K: binary.NativeEndian.Uint32(prog[i+4:])})
	}
	insns, ok := bpf.Disassemble(raw)
	if !ok {
		t.Fatal("the filter does not disassemble")
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		t.Fatal(err)
	}
	native := map[string]uint32{"amd64": unix.AUDIT_ARCH_X86_64, "arm64": unix.AUDIT_ARCH_AARCH64}[runtime.GOARCH]
	allow, perm, nosys := uint32(unix.SECCOMP_RET_ALLOW), uint32(unix.SECCOMP_RET_ERRNO)|uint32(unix.EPERM), uint32(unix.SECCOMP_RET_ERRNO)|uint32(unix.ENOSYS)
	for _, tt := range []struct {
		name     string
		arch, nr uint32
		want     uint32
	}{
		{"read", native, unix.SYS_READ, allow},
		{"mmap", native, unix.SYS_MMAP, allow},
		{"inotify_init1", native, unix.SYS_INOTIFY_INIT1, allow},
		{"add_key", native, unix.SYS_ADD_KEY, perm},
		{"request_key", native, unix.SYS_REQUEST_KEY, perm},
		{"keyctl", native, unix.SYS_KEYCTL, perm},
		{"ptrace", native, unix.SYS_PTRACE, perm},
		{"process_vm_readv", native, unix.SYS_PROCESS_VM_READV, perm},
		{"process_vm_writev", native, unix.SYS_PROCESS_VM_WRITEV, perm},
		{"an x32 call", native, x32 | unix.SYS_KEYCTL, nosys},
		{"another architecture's call", 0x40000003, 1, nosys}, // i386
	} {
		// The VM loads words in network order; the kernel in this machine's.
		data := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, tt.nr), tt.arch)
		data = append(data, make([]byte, 56)...)
		got, err := vm.Run(data)
		if err != nil || uint32(got) != tt.want {
			t.Errorf("%s: %#x, %v; want %#x", tt.name, got, err, tt.want)
		}
	}
}

// TestSeccompInBwrap: in a sandbox that loads the filter, keyctl fails with
// EPERM and an ordinary program runs.
func TestSeccompInBwrap(t *testing.T) {
	bin, err := exec.LookPath("bwrap")
	if err != nil {
		t.Skip("no bwrap here")
	}
	const py = "/usr/bin/python3" // under /usr, which the sandbox shows
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3 here")
	}
	f, err := Seccomp()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := &Sandbox{Bwrap: bin, Offline: true}
	args := append([]string{"--seccomp", "3"}, s.Command(nil, "/", py, "-c",
		"import ctypes, os; libc = ctypes.CDLL(None, use_errno=True); r = libc.syscall(250 if os.uname().machine == 'x86_64' else 219, 0, 0, 0, 0, 0); print(r, ctypes.get_errno())")...)
	cmd := exec.Command(bin, args...)
	cmd.ExtraFiles = []*os.File{f}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Skipf("bwrap cannot run here: %v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "-1 1" {
		t.Errorf("keyctl in the sandbox: %q, want -1 and EPERM (1)", got)
	}
}
