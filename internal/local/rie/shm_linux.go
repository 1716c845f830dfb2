package rie

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// sharedMemory is the bytes of System V shared memory in the IPC namespace
// of pid (an environment's own, bwrap --unshare-ipc), and, with remove, marks
// each segment for removal. A segment outlives every process that mapped it,
// so no process's memory shows it; /proc/sysvipc/shm lists the reader's own
// namespace's, so it is read from a thread that joins the environment's and
// then returns to its own. The thread must not end: a child started with a
// parent-death signal (cognito-local) is killed when the thread that started
// it ends. 0 when the namespace cannot be joined.
func sharedMemory(pid int, remove bool) int64 {
	total := make(chan int64, 1)
	go func() {
		runtime.LockOSThread()
		n, back := inNamespace(pid, remove)
		if back {
			runtime.UnlockOSThread()
		} // else the thread, still in the environment's namespace, ends with this goroutine
		total <- n
	}()
	return <-total
}

// inNamespace reads, and with remove clears, pid's IPC namespace's shared
// memory from this thread, and reports whether the thread is back in its own
// namespace.
func inNamespace(pid int, remove bool) (int64, bool) {
	theirs, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/ipc", pid))
	if ours, _ := os.Readlink("/proc/thread-self/ns/ipc"); err != nil || theirs == ours {
		return 0, true // unsandboxed: this machine's segments are not the function's
	}
	own, err := os.Open("/proc/thread-self/ns/ipc")
	if err != nil {
		return 0, true
	}
	defer own.Close()
	ns, err := os.Open(fmt.Sprintf("/proc/%d/ns/ipc", pid))
	if err != nil {
		return 0, true
	}
	defer ns.Close()
	if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWIPC); err != nil {
		return 0, true
	}
	n := segments(remove)
	return n, unix.Setns(int(own.Fd()), unix.CLONE_NEWIPC) == nil
}

// segments is the bytes of this thread's IPC namespace's shared memory
// segments, each marked for removal with remove.
func segments(remove bool) int64 {
	b, err := os.ReadFile("/proc/sysvipc/shm")
	if err != nil {
		return 0
	}
	var bytes int64
	for i, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 4 { // the header: key shmid perms size …
			continue
		}
		id, _ := strconv.Atoi(f[1])
		size, _ := strconv.ParseInt(f[3], 10, 64)
		bytes += size
		if remove {
			unix.SysvShmCtl(id, unix.IPC_RMID, nil)
		}
	}
	return bytes
}
