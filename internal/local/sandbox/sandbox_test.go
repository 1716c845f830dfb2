package sandbox

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm/internal/local/memcg"
)

// TestArgs: the namespaces, the user, /tmp's cap, the read-only root and the
// function's mounts, each before the command, a mount inside another after
// it.
func TestArgs(t *testing.T) {
	s := &Sandbox{Bwrap: "bwrap"}
	a := s.Command([]Mount{{Host: "/code", At: TaskRoot}, {Host: "/mods", At: TaskRoot + "/node_modules"}}, TaskRoot, "/var/rapid/aws-lambda-rie", "x")
	join := " " + strings.Join(a, " ") + " "
	for _, want := range []string{" --unshare-user --unshare-pid ", " --uid 993 --gid 990 ", " --die-with-parent ", " --cap-drop ALL --disable-userns ",
		" --proc /proc --ro-bind-try /proc/sys /proc/sys ", " --dev /dev ",
		" --size 536870912 --tmpfs /tmp ", " --ro-bind /code /var/task --ro-bind /mods /var/task/node_modules ",
		" --remount-ro / --chdir /var/task -- /var/rapid/aws-lambda-rie x "} {
		if !strings.Contains(join, want) {
			t.Errorf("the arguments lack %q:\n%s", want, join)
		}
	}
	for _, never := range []string{"/home", "/root", "/etc/passwd /etc/passwd", "--share-net=false", "--bind "} {
		if strings.Contains(join, " "+never) {
			t.Errorf("the arguments bind %q:\n%s", never, join)
		}
	}
}

// TestProbe: asked for none, or without bwrap, there is no sandbox, and the
// error says how to get one.
func TestProbe(t *testing.T) {
	for _, tt := range []struct {
		name, path, disable, want string
	}{
		{"asked for none", os.Getenv("PATH"), "off", "AUTOCONFIRM_SANDBOX=off"},
		{"no bwrap", t.TempDir(), "", "apt-get install bubblewrap"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PATH", tt.path)
			_, err := Probe(context.Background(), func(k string) string { return map[string]string{Disable: tt.disable}[k] })
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "not sandboxed") {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestInside runs a shell in the sandbox where this machine allows one, and
// checks what it sees: Lambda's user, a 512 MiB /tmp, a read-only root and
// code, its own processes only (bwrap and the shell), and none of this process's environment.
func TestInside(t *testing.T) {
	if exec.Command("unshare", "--user", "--pid", "--mount", "true").Run() != nil {
		t.Skip("unprivileged user namespaces are refused here: no sandbox can be had")
	}
	s, err := Probe(context.Background(), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	code := t.TempDir()
	os.WriteFile(filepath.Join(code, "f"), []byte("code"), 0o644)
	script := `id -u; id -g; cat f; echo; stat -f -c '%b*%S' /tmp; set -- /proc/[0-9]*; echo $#; ` +
		`touch /var/task/x 2>/dev/null || echo ro-task; touch /x 2>/dev/null || echo ro-root; ` +
		`cat /proc/*/environ 2>/dev/null | tr '\0' '\n' | grep -c SANDBOX_TEST_SECRET; ` +
		// E1: no capabilities and no host knob, even when run by root (the
		// write puts back the value it reads).
		`grep CapEff /proc/self/status; (cat /proc/sys/vm/overcommit_ratio >/proc/sys/vm/overcommit_ratio) 2>/dev/null || echo ro-sysctl; ` +
		// E2: no nested user namespace to mount a tmpfs past /tmp's cap in.
		`unshare -U true 2>/dev/null || echo no-userns`
	cmd := exec.Command(s.Bwrap, s.Command([]Mount{{Host: code, At: TaskRoot}}, TaskRoot, "/bin/sh", "-c", script)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	t.Setenv("SANDBOX_TEST_SECRET", "1")
	out, _ := cmd.CombinedOutput()
	want := []string{"993", "990", "code", "131072*4096", "2", "ro-task", "ro-root", "0",
		"CapEff:", "0000000000000000", "ro-sysctl", "no-userns"}
	if got := strings.Fields(string(out)); !slices.Equal(got, want) {
		t.Errorf("inside the sandbox: %q, want %q", got, want)
	}
}

// TestDescribeSaysHowMemoryIsCounted: every report says whether all an
// environment holds counts, or only what its processes map, and why.
func TestDescribeSaysHowMemoryIsCounted(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    Sandbox
		want string
	}{
		{"a memory cgroup", Sandbox{Memory: &memcg.Parent{}, MemoryBudget: 3 << 30}, "; memory counted in a memory cgroup of each environment's own; " +
			"NOT AS ON LAMBDA: all the environments together, Cognito's retries included, may hold at most 3072 MB of this machine's memory (3/4 of what it had available), and a run that needs more stops as a setup error)"},
		{"none, and why", Sandbox{MemoryWhy: errors.New("read-only cgroup file system")},
			"; NOT AS ON LAMBDA: memory counted per process, so memory held in System V message queues or shared memory, or in files in flight over a socket, is not counted (read-only cgroup file system))"},
	} {
		if got := tt.s.Describe(); !strings.HasSuffix(got, tt.want) {
			t.Errorf("%s: %q, want it to end %q", tt.name, got, tt.want)
		}
	}
}

// TestDescribeSaysWhetherCallsAreFiltered: every report says whether the
// function's system calls are filtered, and why not.
func TestDescribeSaysWhetherCallsAreFiltered(t *testing.T) {
	if got := (&Sandbox{Filter: true}).Describe(); !strings.Contains(got, "; the kernel's key store, ptrace and process_vm_readv/writev refused (EPERM);") {
		t.Errorf("filtered: %q", got)
	}
	if got := (&Sandbox{FilterWhy: errors.New("no seccomp")}).Describe(); !strings.Contains(got, "NOT AS ON LAMBDA: no system call filter, so the function can use the kernel's key store, whose quota is this machine user's, and ptrace the sandbox's own processes (no seccomp)") {
		t.Errorf("not filtered: %q", got)
	}
}

// TestDescribeSaysWhatIsConfined: every report says how far the function is
// kept from the sandbox's own processes, and why not where it is not.
func TestDescribeSaysWhatIsConfined(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    Sandbox
		want string
	}{
		{"Landlock with scopes", Sandbox{Landlock: 7}, "; the sandbox's own processes out of its reach (Landlock ABI 7: no ptrace, /proc/<pid>/mem or signal to them); NOT AS ON LAMBDA: it may lower their limits and priority and raise their oom_score_adj, which can only slow or break its own run; 1024 open files;"},
		{"Landlock without scopes", Sandbox{Landlock: 4}, "; the sandbox's own processes' memory out of its reach (Landlock ABI 4); NOT AS ON LAMBDA: it may signal them, as Landlock scopes signals from ABI 6; NOT AS ON LAMBDA: it may lower their limits and priority and raise their oom_score_adj, which can only slow or break its own run; 1024 open files;"},
		{"no Landlock", Sandbox{LandlockWhy: errors.New("lsm= lacks it")}, "; NOT AS ON LAMBDA: the function can read and write the memory of the sandbox's own processes, which run as its uid (no Landlock: lsm= lacks it); 1024 open files;"},
		{"/tmp as configured, and where it is held", Sandbox{TmpMB: 2048}, ", /tmp 2048 MB (NOT AS ON LAMBDA: a tmpfs, held in this machine's memory, where Lambda keeps it apart from memory);"},
		{"this machine's /proc", Sandbox{}, "; NOT AS ON LAMBDA: /proc/meminfo, /proc/loadavg, /proc/uptime and /proc/self/mountinfo show this machine's memory, load and paths;"},
	} {
		if got := tt.s.Describe(); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q lacks %q", tt.name, got, tt.want)
		}
	}
}
