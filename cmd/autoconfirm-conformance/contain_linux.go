package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/autoconfirm/autoconfirm/internal/local/memcg"
	"github.com/autoconfirm/autoconfirm/internal/local/runtimes"
)

// Nothing that `local` or `diff` starts may outlive the run, however it
// ends, SIGKILL included, and a SIGKILLed process runs no cleanup. So the
// run re-executes itself under an init of its own (pid1), in new user, PID
// and mount namespaces: when pid1 exits, the kernel kills every process in
// its PID namespace, a handler's setsid'd grandchild included, and the
// private tmpfs that holds the run's TMPDIR vanishes with the mount
// namespace. The process the caller started (outer) waits for pid1, passes
// it the caller's signals, and takes it down if it dies itself. Where no
// namespace can be had, pid1 runs in a session of its own as the run's
// subreaper instead, so that every orphan of the run stays below it; when
// the run or the outer process ends, it kills whatever is left below it
// and removes the run's TMPDIR.
//
// containEnv tells each process its part: "init" for pid1 in namespaces,
// "subreaper" for pid1 without, "run" for the run proper.
const containEnv = "AUTOCONFIRM_CONTAINED"

// noNamespacesEnv, when set, skips the namespaces, as on a host that
// refuses them: the run then relies on parent-death signals and a watchdog.
const noNamespacesEnv = "AUTOCONFIRM_NO_NAMESPACES"

// exitSetup is pid1's status when it could not set the namespaces up; the
// outer process then runs the run itself.
const exitSetup = 125

// contain is main's first step. It marks every inherited descriptor but
// stdio close-on-exec, so that no child holds the caller's files or locks.
// For local and diff it then runs the run contained: done says that this
// process's part is over and code is its exit status; otherwise the run
// goes on in this process, and release ends what contain set up for it.
func contain(args []string, stderr io.Writer) (code int, done bool, release func()) {
	closeInheritedOnExec()
	switch os.Getenv(containEnv) {
	case "init":
		return pid1(args, true), true, nil
	case "subreaper":
		return pid1(args, false), true, nil
	case "run":
		os.Unsetenv(containEnv) // a local run by the handler contains itself anew
		return 0, false, func() {}
	}
	if len(args) == 0 || (args[0] != "local" && args[0] != "diff") {
		return 0, false, func() {}
	}
	why := errors.New(noNamespacesEnv + " is set")
	if os.Getenv(noNamespacesEnv) == "" {
		if code, why = outer(args, true); why == nil {
			return code, true, nil
		}
	}
	fmt.Fprintf(stderr, "local: no namespaces for the run (%v): a subreaper ends what it starts instead\n", why)
	code, err := outer(args, false)
	if err == nil {
		return code, true, nil
	}
	fmt.Fprintf(stderr, "local: no subreaper either (%v): what the run starts ends by parent-death signals only\n", err)
	return 0, false, func() {}
}

// closeInheritedOnExec marks every descriptor above stderr close-on-exec:
// this process may use what it inherited, its children get none of it.
func closeInheritedOnExec() {
	if unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC) == nil {
		return
	}
	fds, _ := os.ReadDir("/proc/self/fd") // kernels before 5.11
	for _, e := range fds {
		var fd int
		if _, err := fmt.Sscan(e.Name(), &fd); err == nil && fd > 2 {
			unix.CloseOnExec(fd)
		}
	}
}

// outer starts pid1, in new user, PID and mount namespaces when ns holds
// (the caller's uid and gid mapped to themselves, with the one capability
// it needs to mount), and waits for it. An error means that pid1 could not
// set up, and nothing was run.
func outer(args []string, ns bool) (int, error) {
	lifeR, lifeW, err := os.Pipe() // pid1 ends the run when lifeW closes: this process is gone
	if err != nil {
		return 0, err
	}
	statusR, statusW, err := os.Pipe() // pid1 says "ok", or why not
	if err != nil {
		return 0, err
	}
	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Args[0] = os.Args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{lifeR, statusW}
	cmd.Env = setEnv(os.Environ(), containEnv, "subreaper")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // a group's SIGKILL spares it, so it can clean up
	if ns {
		uid, gid := os.Getuid(), os.Getgid()
		cmd.Env = setEnv(os.Environ(), containEnv, "init")
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}},
			AmbientCaps: []uintptr{unix.CAP_SYS_ADMIN},
		}
	}
	// Named here, so that this process removes the run's cgroups when
	// pid1 could not: SIGKILLed, by the kernel's OOM killer say (red team
	// round 23).
	id := runID()
	cmd.Env = setEnv(cmd.Env, memcg.RunEnv, id)
	defer memcg.RemoveRun(id)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	runtime.LockOSThread() // pid1's parent-death signal follows the thread that started it
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("starting the run's init: %w", err)
	}
	lifeR.Close()
	statusW.Close()
	if msg, _ := io.ReadAll(statusR); string(msg) != "ok" {
		cmd.Wait()
		return 0, fmt.Errorf("setting up the run's init: %s", msg)
	}
	go forward(sigs, cmd.Process)
	cmd.Wait()
	runtime.KeepAlive(lifeW)
	return statusOf(cmd.ProcessState.Sys().(syscall.WaitStatus)), nil
}

// pid1 starts the run, passes it the signals it gets, reaps every orphan,
// and exits with the run's status. In namespaces (ns) it mounts the run's
// own /proc and TMPDIR first, and its exit ends them and all in them.
// Without, it adopts the run's orphans as a subreaper, and when the run or
// the outer process ends, kills all below it and removes the run's TMPDIR.
func pid1(args []string, ns bool) int {
	life, status := os.NewFile(3, "life"), os.NewFile(4, "status")
	tmp, err := setUp(ns)
	id := os.Getenv(memcg.RunEnv) // the outer process's
	if id == "" {
		id = runID()
	}
	var run *os.Process
	if err == nil {
		run, err = startRun(args, tmp, ns, id)
	}
	if err != nil {
		fmt.Fprint(status, err)
		return exitSetup
	}
	fmt.Fprint(status, "ok")
	status.Close()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go forward(sigs, run)
	outerGone := make(chan struct{})
	go func() {
		io.Copy(io.Discard, life)
		close(outerGone)
	}()
	ended := make(chan int, 1)
	go reap(run.Pid, ended)
	code := 128 + int(syscall.SIGKILL)
	select {
	case code = <-ended:
	case <-outerGone:
		// The caller is gone, SIGKILLed maybe: the run stops as on
		// SIGTERM, cleaning up, for at most stopGrace.
		run.Signal(syscall.SIGTERM)
		select {
		case code = <-ended:
		case <-time.After(stopGrace):
		}
	}
	// Everything below ends first, so that no environment the run was
	// still starting makes a cgroup after they are removed (CI at
	// 8364a4a left one so).
	if ns && os.Getpid() == 1 {
		unix.Kill(-1, unix.SIGKILL) // all of the namespace but pid1
	} else {
		sweep()
	}
	memcg.RemoveRun(id) // whatever the run could not remove
	if !ns {
		os.RemoveAll(tmp)
	}
	return code
}

// stopGrace is how long a run whose caller is gone has to clean up before
// its init ends it: within 5 s nothing of it is left (issue 24).
const stopGrace = 3 * time.Second

// setUp prepares pid1's part and returns the run's TMPDIR.
func setUp(ns bool) (string, error) {
	if !ns {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			return "", fmt.Errorf("becoming the run's subreaper: %w", err)
		}
		return os.MkdirTemp("", "autoconfirm-run-")
	}
	// The outer process's death ends pid1 too, and so the namespace, once
	// pid1 has stopped the run (outerGone); SIGTERM, so that it can.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0); err != nil {
		return "", err
	}
	return privateMounts()
}

// privateMounts makes the namespace's mounts its own, mounts a /proc that
// shows its PID namespace, and a tmpfs for the run's TMPDIR over a
// directory of the cache, which stays empty outside.
func privateMounts() (string, error) {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return "", fmt.Errorf("making the mounts private: %w", err)
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return "", fmt.Errorf("mounting /proc for the run's PID namespace: %w", err)
	}
	cache, err := runtimes.DefaultCacheDir(os.Getenv)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "tmp")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0700"); err != nil {
		return "", fmt.Errorf("mounting the run's TMPDIR on %s: %w", dir, err)
	}
	return dir, nil
}

// startRun starts the run proper with its TMPDIR, to die with pid1. In
// namespaces it drops the capability pid1 mounted with, from the thread
// that starts the run, whose capabilities the run inherits.
func startRun(args []string, tmp string, ns bool, id string) (*os.Process, error) {
	runtime.LockOSThread()
	if ns {
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
			return nil, fmt.Errorf("dropping the mount capability: %w", err)
		}
	}
	env := setEnv(setEnv(os.Environ(), containEnv, "run"), "TMPDIR", tmp)
	env = setEnv(env, memcg.RunEnv, id)
	return os.StartProcess("/proc/self/exe", append([]string{os.Args[0]}, args...), &os.ProcAttr{
		Env: env, Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
		Sys: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	})
}

// runID names the run's memory cgroups, so that pid1 can remove them.
func runID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// reap waits for every child pid1 has, as an init must, and sends the
// run's status on ended when the run exits.
func reap(run int, ended chan<- int) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, 0, nil)
		switch {
		case errors.Is(err, unix.EINTR):
		case err != nil:
			time.Sleep(10 * time.Millisecond) // no child yet, or none left
		case pid == run:
			ended <- statusOf(syscall.WaitStatus(ws))
		}
	}
}

// forward passes the signals that end a run on to p.
func forward(sigs <-chan os.Signal, p *os.Process) {
	for s := range sigs {
		p.Signal(s)
	}
}

// statusOf is a shell's status for ws: the exit status, or 128 and the
// signal that killed the process.
func statusOf(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// setEnv returns env with k set to v, once.
func setEnv(env []string, k, v string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, k+"=") {
			out = append(out, kv)
		}
	}
	return append(out, k+"="+v)
}
