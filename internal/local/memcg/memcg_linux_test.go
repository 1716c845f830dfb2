//go:build linux

package memcg

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// parent is this process's memory cgroup; where none is writable the
// tests say why and stop: the run then says that memory is counted per
// process (package sandbox's TestDescribeSaysHowMemoryIsCounted).
func parent(t *testing.T) *Parent {
	t.Helper()
	p, err := Find("")
	if errors.Is(err, ErrUnavailable) {
		t.Skipf("no writable memory cgroup here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// hold runs a Python script in g, in an IPC namespace of its own as an
// environment has, once it is in the group, and returns when it printed
// "held".
func hold(t *testing.T, g *Group, script string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("unshare", "--ipc", "python3", "-c", "import os, sys\nsys.stdin.readline()\n"+script+"\nprint('held', flush=True)\nimport time\ntime.sleep(30)\n")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if err := g.Add(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	in.Write([]byte("go\n"))
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "held\n" {
		t.Fatalf("the script did not hold its memory: %q %v", line, err)
	}
	return cmd
}

// TestHeldCountsWhatProcessesDoNotShow: memory that no process maps, in
// message queues or in memory files in flight over a socket, counts; the
// page cache of a file read does not.
func TestHeldCountsWhatProcessesDoNotShow(t *testing.T) {
	p := parent(t)
	// Written from the group, so that its page cache is the group's.
	big := filepath.Join(t.TempDir(), "big")
	for _, tt := range []struct {
		name, script string
		counted      bool
	}{
		{"64 MB in System V message queues", "import ctypes\nlibc = ctypes.CDLL(None)\nclass M(ctypes.Structure):\n    _fields_ = [('t', ctypes.c_long), ('b', ctypes.c_char * 8192)]\nm = M(1, b'y' * 8192)\n" +
			"for i in range(4096):\n    q = libc.msgget(0, 0o1600)\n    libc.msgsnd(q, ctypes.byref(m), 8192, 0o4000)\n    libc.msgsnd(q, ctypes.byref(m), 8192, 0o4000)", true},
		{"64 MB of memory files in flight over a socket", "import os, socket\na, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n" +
			"for i in range(4):\n    fd = os.memfd_create('m')\n    os.write(fd, b'x' * (16 << 20))\n    socket.send_fds(a, [b'x'], [fd])\n    os.close(fd)", true},
		{"64 MB unread on loopback TCP connections", "import socket\nl = socket.socket()\nl.bind(('127.0.0.1', 0))\nl.listen(64)\nkeep = []\n" +
			"for i in range(40):\n    c = socket.create_connection(l.getsockname())\n    s, _ = l.accept()\n    c.setblocking(False)\n    keep += [c, s]\n" +
			"    try:\n        while True:\n            c.send(b'x' * 65536)\n    except BlockingIOError:\n        pass", true},
		{"64 MB unread in UDP receive queues", "import socket\nw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nkeep = []\n" +
			"for i in range(16):\n    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n    r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)\n    r.bind(('127.0.0.1', 0))\n" +
			"    keep.append(r)\n    for _ in range(80):\n        w.sendto(b'y' * 60000, r.getsockname())", true},
		{"a 64 MB file written and read", "open('" + big + "', 'wb').write(b'z' * (64 << 20)); os.sync(); open('" + big + "', 'rb').read()", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g, err := p.New("test", 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Remove()
			hold(t, g, tt.script)
			held, err := g.Held()
			if err != nil {
				t.Fatal(err)
			}
			if counted := held >= 64<<20; counted != tt.counted {
				t.Errorf("held %d MB; counted %v, want %v", held>>20, counted, tt.counted)
			}
		})
	}
}

// TestLimitAndRemove: the kernel ends a process over the group's limit and
// counts it; Remove ends what is left and removes the group.
func TestLimitAndRemove(t *testing.T) {
	p := parent(t)
	g, err := p.New("test", 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	over := exec.Command("python3", "-c", "import sys\nsys.stdin.readline()\nx = b'x' * (128 << 20)\n")
	in, _ := over.StdinPipe()
	if err := over.Start(); err != nil {
		t.Fatal(err)
	}
	g.Add(over.Process.Pid)
	in.Write([]byte("go\n"))
	if err := over.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("a process over the limit ended with %v, want killed", err)
	}
	if n := g.OOMKills(); n != 1 {
		t.Errorf("OOMKills %d, want 1", n)
	}
	left := hold(t, g, "pass")
	start := time.Now()
	if err := g.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(g.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the group is still there: %v", err)
	}
	if err := left.Wait(); err == nil {
		t.Errorf("the process left in the group was not ended")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Remove took %s", took)
	}
}

// TestSweepRemovesWhatAKilledRunLeft: an empty group older than staleAfter
// goes at the next Find; a group that holds a process stays.
func TestSweepRemovesWhatAKilledRunLeft(t *testing.T) {
	p := parent(t)
	stale, err := p.New("stale", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	busy, err := p.New("busy", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Remove()
	hold(t, busy, "pass")
	old := time.Now().Add(-2 * staleAfter)
	for _, d := range []string{stale.dir, busy.dir} {
		if err := os.Chtimes(d, old, old); err != nil {
			t.Skipf("this cgroup file system keeps no times that can be set: %v", err)
		}
	}
	p.sweep()
	if _, err := os.Stat(stale.dir); !errors.Is(err, os.ErrNotExist) {
		stale.Remove()
		t.Errorf("the empty group of a killed run is still there")
	}
	if _, err := os.Stat(busy.dir); err != nil {
		t.Errorf("the group holding a process was removed: %v", err)
	}
}

// TestOwnPath reads this process's memory cgroup and the hierarchy's mount.
func TestOwnPath(t *testing.T) {
	dir := t.TempDir()
	cg := filepath.Join(dir, "cgroup")
	os.WriteFile(cg, []byte("6:pids:/user.slice\n5:devices:/\n4:memory:/process_api/abc\n0::/\n"), 0o644)
	if got, err := ownPath(cg, "memory"); err != nil || got != "/process_api/abc" {
		t.Errorf("ownPath = %q, %v", got, err)
	}
	if got, err := ownPath(cg, "pids"); err != nil || got != "/user.slice" {
		t.Errorf("ownPath of pids = %q, %v", got, err)
	}
	os.WriteFile(cg, []byte("0::/user.slice\n"), 0o644)
	if _, err := ownPath(cg, "memory"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("cgroup v2 only: %v, want ErrUnavailable", err)
	}
	mi := filepath.Join(dir, "mountinfo")
	os.WriteFile(mi, []byte("30 25 0:26 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu\n"+
		"31 25 0:27 /docker/x /sys/fs/cgroup/memory rw,relatime shared:10 - cgroup cgroup rw,memory\n"), 0o644)
	if m, r, err := mountOf(mi, "memory"); err != nil || m != "/sys/fs/cgroup/memory" || r != "/docker/x" {
		t.Errorf("mountOf = %q %q %v", m, r, err)
	}
	if _, _, err := mountOf(mi, "pids"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("no pids mount: %v, want ErrUnavailable", err)
	}
}

// TestPidsLimit: an environment's pids cgroup refuses a process past its
// limit (red team round 18: 1,100 threads started, where Lambda allows
// 1,024).
func TestPidsLimit(t *testing.T) {
	p, err := FindPids("test")
	if err != nil {
		t.Skipf("no pids cgroup here: %v", err)
	}
	g, err := p.New("env", 3)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Remove()
	// A shell in the group, at most 3 tasks: it and two sleeps; the third
	// cannot start.
	cmd := exec.Command("sh", "-c", "read _; sleep 1 & sleep 1 & sleep 1 & wait")
	stdin, _ := cmd.StdinPipe()
	var out strings.Builder
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := g.Add(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	stdin.Write([]byte("go\n"))
	cmd.Wait()
	if !strings.Contains(out.String(), "fork") && !strings.Contains(out.String(), "Resource temporarily unavailable") {
		t.Errorf("a fourth task started in a group of at most 3: %q", out.String())
	}
}

// TestWithinBoundsItsGroupsTogether: groups made below Within's share its
// limit, however high their own (red team round 20: eight environments of
// memory and /tmp each, and no bound for all of them); Reached then counts,
// and Release removes it all, what is left in it ended.
func TestWithinBoundsItsGroupsTogether(t *testing.T) {
	p := parent(t)
	room, err := p.Room()
	if err != nil || room <= 0 {
		t.Fatalf("Room = %d, %v; want the memory available here", room, err)
	}
	all, err := p.Within("all", 96<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer all.Release()
	first, err := all.New("env", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	hold(t, first, "held = b'x' * (64 << 20)")
	if n := all.Reached(); n != 0 {
		t.Errorf("Reached %d with 64 of 96 MB held, want 0", n)
	}
	second, err := all.New("env", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	over := exec.Command("python3", "-c", "import sys\nsys.stdin.readline()\nx = b'x' * (64 << 20)\n")
	in, _ := over.StdinPipe()
	if err := over.Start(); err != nil {
		t.Fatal(err)
	}
	second.Add(over.Process.Pid)
	in.Write([]byte("go\n"))
	over.Wait() // the kernel ends the largest process of the two groups
	if all.Reached() == 0 || first.OOMKills()+second.OOMKills() == 0 {
		t.Errorf("Reached %d, OOM kills %d and %d; want the shared limit reached and a process ended", all.Reached(), first.OOMKills(), second.OOMKills())
	}
	if err := all.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(all.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Release left %s: %v", all.Dir(), err)
	}
	if err := p.Release(); err != nil || p.Dir() == "" {
		t.Errorf("Release of the found parent, which holds this process: %v", err)
	}
}
