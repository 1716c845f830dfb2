//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"

	"github.com/landlock-lsm/go-landlock/landlock"
	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// domain is the function's Landlock domain. Being in any domain denies it
// ptrace and /proc/<pid>/mem of every process outside it; the scopes deny
// it signals and abstract Unix sockets to them too. It may make, remove and
// rename files only under /tmp, Lambda's one writable place: elsewhere the
// sandbox's own tmpfs (the forwarder's sockets, which the function's uid
// owns) would be open to it (red team round 17).
func domain() (landlock.Config, []landlock.Rule) {
	c := landlock.Config{HandledAccessFS: changes, Scoped: ll.ScopeSignal | ll.ScopeAbstractUnixSocket}.BestEffort()
	return c, []landlock.Rule{landlock.PathAccess(changes, "/tmp")}
}

// changes are the file system accesses that change a directory.
const changes = ll.AccessFSMakeChar | ll.AccessFSMakeDir | ll.AccessFSMakeReg | ll.AccessFSMakeSock | ll.AccessFSMakeFifo |
	ll.AccessFSMakeBlock | ll.AccessFSMakeSym | ll.AccessFSRemoveDir | ll.AccessFSRemoveFile | ll.AccessFSRefer

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
// "--") with the function's environment, from the file args[0], over its
// own. It returns only on failure.
func Confine(args []string) int {
	if len(args) < 3 || args[1] != "--" {
		fmt.Fprintln(os.Stderr, "sandbox confine: usage: ENVFILE -- COMMAND [ARG...]")
		return 2
	}
	env, err := readEnv(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox confine:", err)
		return 2
	}
	argv := args[2:]
	// syscall.Setrlimit also keeps Go from restoring its own limit at exec.
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: FileLimit, Max: FileLimit}); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox confine: lowering the open-file limit:", err)
		return 2
	}
	c, rules := domain()
	fd, flags, err := c.NewRulesetFD(rules...)
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
	err = syscall.Exec(argv[0], argv, overlay(os.Environ(), env))
	fmt.Fprintf(os.Stderr, "sandbox confine: starting %s: %v\n", argv[0], err)
	return 127
}

// readEnv reads the function's environment, NUL-separated KEY=VALUE.
func readEnv(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the function's environment: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxEnvFile+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("the function's environment: %w", err)
	case len(b) > maxEnvFile:
		return nil, fmt.Errorf("the function's environment %s is over %d bytes", path, maxEnvFile)
	case len(b) == 0:
		return nil, nil
	}
	return strings.Split(string(b), "\x00"), nil
}

// maxEnvFile bounds the environment file: Lambda's 4 KB of variables, and
// the ones Lambda and the runner define, many times over.
const maxEnvFile = 1 << 20

func enter(fd int, flags uint32) error {
	defer unix.Close(fd)
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	return ll.LandlockRestrictSelf(fd, flags)
}
