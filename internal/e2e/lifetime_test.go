//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/memcg"
	"github.com/autoconfirm/autoconfirm/internal/local/runtimes"
)

// escapeHandler confirms every sign-up and, at its first invocation, leaves
// a process behind as a careless handler would: it double-forks, starts a
// session of its own, and keeps every descriptor it inherited. The marker
// %[1]q names that process, and /tmp/%[1]s makes it the only one, whichever
// execution environment runs first.
const escapeHandler = `import os, subprocess, sys

DETACH = "import os, time\nif os.fork(): os._exit(0)\nos.setsid()\nif os.fork(): os._exit(0)\ntime.sleep(600)\n"

def lambda_handler(event, context):
    try:
        os.close(os.open("/tmp/%[1]s", os.O_CREAT | os.O_EXCL))
        subprocess.Popen([sys.executable, "-c", DETACH, %[1]q], close_fds=False,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).wait()
    except FileExistsError:
        pass
    event["response"]["autoConfirmUser"] = True
    return event
`

// TestSigkillLeavesNothing: SIGKILL of local, while it prepares, while the
// stack starts and in the middle of a scenario, leaves within 5 s no
// process (cognito-local, the emulator, a handler's detached grandchild),
// no temporary directory, no memory cgroup and no lock on a descriptor
// local inherited.
// Without namespaces (AUTOCONFIRM_NO_NAMESPACES) the run's subreaper must
// do as much for a run killed mid-scenario.
func TestSigkillLeavesNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	cache, err := runtimes.DefaultCacheDir(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, env string
		ready     func(line string, run int, marker string) bool
		// victim is the process killed, when not local itself.
		victim func(run int) int
	}{
		{"while preparing", "", func(line string, _ int, _ string) bool {
			return strings.Contains(line, "the pool's shape")
		}, nil},
		{"while the stack starts", "", func(_ string, run int, _ string) bool {
			return hasDescendant(run, "cognito-local")
		}, nil},
		{"mid-scenario", "", midScenario, nil},
		{"mid-scenario without namespaces", "AUTOCONFIRM_NO_NAMESPACES=1", midScenario, nil},
		// The kernel's OOM killer may pick the run's init: local, its
		// parent, then removes the run's cgroups (red team round 23).
		{"the run's init, mid-scenario", "", midScenario, childOf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			marker := fmt.Sprintf("autoconfirm-lifetime-%d", time.Now().UnixNano())
			code := t.TempDir()
			t.Cleanup(func() { os.Remove(filepath.Join("/tmp", marker)) })
			if err := os.WriteFile(filepath.Join(code, "lambda_function.py"), fmt.Appendf(nil, escapeHandler, marker), 0o644); err != nil {
				t.Fatal(err)
			}
			tmp := privateTemp(t)
			lock := heldLock(t)
			before := cgroups()
			cmd := exec.CommandContext(ctx, runner, "local", "--runtime", "python3.11", "--code", code, "--report-dir", t.TempDir())
			cmd.Dir = root(t)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, tt.env)
			cmd.ExtraFiles = []*os.File{lock}
			stdout, _ := cmd.StdoutPipe()
			cmd.Stderr = cmd.Stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lock.Close() // the lock is now held only through local's descriptor
			run := cmd.Process.Pid
			lines := make(chan string, 1000)
			go func() {
				for sc := bufio.NewScanner(stdout); sc.Scan(); {
					lines <- sc.Text()
				}
				close(lines)
			}()
			waitFor(t, lines, func(line string) bool { return tt.ready(line, run, marker) })
			tree := descendants(run)
			victim := run
			if tt.victim != nil {
				victim = tt.victim(run)
			}
			syscall.Kill(victim, syscall.SIGKILL)
			cmd.Wait()
			t.Logf("SIGKILL with %d process(es) under local", len(tree))
			gone(t, tree, marker, []string{tmp, filepath.Join(cache, "tmp")}, lock.Name(), func() []string { return newCgroups(before) })
		})
	}
}

// midScenario is ready once the scenarios run and the handler's detached
// process exists.
func midScenario(line string, _ int, marker string) bool {
	return strings.Contains(line, "running the scenarios against the pool target") &&
		len(processes(func(cmdline, _ string) bool { return strings.Contains(cmdline, marker) })) > 0
}

// waitFor reads the run's output until ready holds, or fails after 2 min.
func waitFor(t *testing.T, lines <-chan string, ready func(string) bool) {
	t.Helper()
	var out []string
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("local ended before the point to kill it:\n%s", strings.Join(out, "\n"))
			}
			out = append(out, line)
			if ready(line) {
				return
			}
		case <-timeout:
			t.Fatalf("local never reached the point to kill it:\n%s", strings.Join(out, "\n"))
		case <-time.After(50 * time.Millisecond):
			if ready("") {
				return
			}
		}
	}
}

// heldLock returns a file locked with flock, to be passed to local.
func heldLock(t *testing.T) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "lock"))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	return f
}

// gone fails unless, within 5 s, no process of tree and none that names
// marker runs, every dir is empty, and the lock at path is free.
func gone(t *testing.T, tree map[int]string, marker string, dirs []string, path string, cgroupsLeft func() []string) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		left = left[:0]
		for pid, cmdline := range tree {
			if now, ok := descendantsCmdline(pid); ok && now == cmdline {
				left = append(left, fmt.Sprintf("process %d: %s", pid, cmdline))
			}
		}
		for pid, cmdline := range processes(func(cmdline, _ string) bool { return strings.Contains(cmdline, marker) }) {
			left = append(left, fmt.Sprintf("the handler's detached process %d: %s", pid, cmdline))
		}
		for _, d := range dirs {
			entries, _ := os.ReadDir(d)
			for _, e := range entries {
				left = append(left, "directory "+filepath.Join(d, e.Name()))
			}
		}
		if !lockFree(t, path) {
			left = append(left, "the lock on "+path)
		}
		for _, c := range cgroupsLeft() {
			left = append(left, "memory cgroup "+c)
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, l := range left {
		t.Errorf("5 s after SIGKILL, left: %s", l)
	}
}

// cgroups are the memory and pids cgroups that runs made below this
// process's own, where it can have them.
func cgroups() map[string]bool {
	m := map[string]bool{}
	for _, find := range []func(string) (*memcg.Parent, error){memcg.Find, memcg.FindPids} {
		p, err := find("")
		if err != nil {
			continue
		}
		found, _ := filepath.Glob(filepath.Join(p.Dir(), "autoconfirm-*"))
		for _, c := range found {
			m[c] = true
		}
	}
	return m
}

// childOf is the first child of pid, or pid where it has none.
func childOf(pid int) int {
	for child := range descendants(pid) {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child)); err == nil {
			// pid (comm) state ppid …: comm may hold spaces, so read after ")".
			if f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:])); len(f) > 1 && f[1] == strconv.Itoa(pid) {
				return child
			}
		}
	}
	return pid
}

// newCgroups are the memory cgroups made since before.
func newCgroups(before map[string]bool) []string {
	var made []string
	for c := range cgroups() {
		if !before[c] {
			made = append(made, c)
		}
	}
	return made
}

// lockFree says whether the lock at path can be taken.
func lockFree(t *testing.T, path string) bool {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}

// descendants returns every process below pid, with its command line.
func descendants(pid int) map[int]string {
	children := map[int][]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, _ := os.ReadFile(p)
		s := string(b)
		end := strings.LastIndexByte(s, ')')
		if end < 0 {
			continue
		}
		f := strings.Fields(s[end+1:])
		id, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if len(f) > 1 {
			ppid, _ := strconv.Atoi(f[1])
			children[ppid] = append(children[ppid], id)
		}
	}
	out := map[int]string{}
	for queue := children[pid]; len(queue) > 0; queue = queue[1:] {
		c := queue[0]
		out[c], _ = descendantsCmdline(c)
		queue = append(queue, children[c]...)
	}
	return out
}

// descendantsCmdline is pid's command line, and whether it still runs (a
// zombie has none).
func descendantsCmdline(pid int) (string, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(b) == 0 {
		return "", false
	}
	return strings.ReplaceAll(string(b), "\x00", " "), true
}

// hasDescendant says whether a process below pid names what.
func hasDescendant(pid int, what string) bool {
	for _, cmdline := range descendants(pid) {
		if strings.Contains(cmdline, what) {
			return true
		}
	}
	return false
}

// TestPoolThatEndsIsASetupError: when cognito-local ends in the middle of
// the scenarios, the run stops as a setup error (exit 2) that says so, and
// no report, of the run or of the depth, blames the handler (red team round
// 24: the pool depth's run.json said a correct handler failed confirm).
func TestPoolThatEndsIsASetupError(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	code, reports := t.TempDir(), t.TempDir()
	slow := "import time\n\ndef lambda_handler(event, context):\n    time.sleep(0.3)\n    event['response']['autoConfirmUser'] = True\n    return event\n"
	if err := os.WriteFile(filepath.Join(code, "lambda_function.py"), []byte(slow), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, runner, "local", "--runtime", "python3.12", "--code", code, "--profile", "cognito,confirm", "--report-dir", reports)
	cmd.Dir = root(t)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out []string
	lines := make(chan string, 1000)
	go func() {
		for sc := bufio.NewScanner(stdout); sc.Scan(); {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitFor(t, lines, func(line string) bool {
		out = append(out, line)
		return strings.Contains(line, "running the scenarios against the pool target")
	})
	time.Sleep(time.Second) // a few sign-ups in
	killed := false
	for pid, cmdline := range descendants(cmd.Process.Pid) {
		if strings.Contains(cmdline, "cognito-local") && strings.Contains(cmdline, "start.js") {
			killed = syscall.Kill(pid, syscall.SIGKILL) == nil
		}
	}
	if !killed {
		t.Fatal("found no cognito-local under the run to end")
	}
	for line := range lines {
		out = append(out, line)
	}
	cmd.Wait()
	said := strings.Join(out, "\n")
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(said, "stopped answering") || strings.Contains(said, "local: FAIL") {
		t.Errorf("exit %d, want 2, saying the pool stopped answering and no FAIL; the run said:\n%s", code, said)
	}
	for _, f := range []string{"run.json", "pool/run.json", "pool/junit.xml", "pool/cucumber.json", "pool/report.html"} {
		if _, err := os.Stat(filepath.Join(reports, f)); err == nil {
			t.Errorf("%s was written: a run that reached no verdict recorded one", f)
		}
	}
}
