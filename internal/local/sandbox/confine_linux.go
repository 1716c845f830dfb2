//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"

	"github.com/landlock-lsm/go-landlock/landlock"
	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// domain is the function's Landlock domain. Being in any domain denies it
// ptrace and /proc/<pid>/mem of every process outside it; the scopes deny
// it signals and abstract Unix sockets to them too. A domain must handle
// some access: making block devices, which a function without
// capabilities cannot do anyway.
func domain() landlock.Config {
	return landlock.Config{HandledAccessFS: ll.AccessFSMakeBlock, Scoped: ll.ScopeSignal | ll.ScopeAbstractUnixSocket}.BestEffort()
}

// probeLandlock is the kernel's Landlock ABI, or why it has none.
func probeLandlock() (int, error) {
	v, err := ll.LandlockGetABIVersion()
	switch {
	case err != nil:
		return 0, fmt.Errorf("the kernel has no Landlock (%w); it is in Linux from 5.13 when `lsm=` names it", err)
	case v < 1:
		return 0, errors.New("the kernel's Landlock is disabled")
	}
	return v, nil
}

// Confine is ConfineCommand's main: it lowers the open-file limit to
// Lambda's, enters the function's Landlock domain, and execs argv (after
// "--"). It returns only on failure.
func Confine(args []string) int {
	if len(args) < 2 || args[0] != "--" {
		fmt.Fprintln(os.Stderr, "sandbox confine: usage: -- COMMAND [ARG...]")
		return 2
	}
	argv := args[1:]
	// syscall.Setrlimit also keeps Go from restoring its own limit at exec.
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: FileLimit, Max: FileLimit}); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox confine: lowering the open-file limit:", err)
		return 2
	}
	fd, flags, err := domain().NewRulesetFD()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox confine: the Landlock domain:", err)
		return 2
	}
	// Only this thread enters the domain, and exec carries it to the
	// runtime, so no other thread may run this goroutine meanwhile.
	runtime.LockOSThread()
	if fd >= 0 {
		if err := enter(fd, flags); err != nil {
			fmt.Fprintln(os.Stderr, "sandbox confine: entering the Landlock domain:", err)
			return 2
		}
	}
	err = syscall.Exec(argv[0], argv, os.Environ())
	fmt.Fprintf(os.Stderr, "sandbox confine: starting %s: %v\n", argv[0], err)
	return 127
}

func enter(fd int, flags uint32) error {
	defer unix.Close(fd)
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	return ll.LandlockRestrictSelf(fd, flags)
}
