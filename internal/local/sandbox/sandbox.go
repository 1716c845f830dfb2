// Package sandbox builds the bubblewrap (bwrap) command that runs a
// function's execution environment in a new root shaped like Lambda's: its
// own user, PID, IPC and mount namespaces, the code read-only at /var/task,
// the layers at /opt, a writable /tmp of Lambda's default 512 MB, /proc of
// its own PID namespace, a minimal /dev, and of the host's files only what
// the runtime needs, read-only. With a forwarder, it has a network
// namespace of its own too, into which only the endpoints the function is
// given are forwarded (net.go). It writes no container runtime: bwrap sets
// the namespaces and mounts up.
package sandbox

import (
	"github.com/autoconfirm/autoconfirm/internal/local/memcg"

	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Paths where Lambda puts things.
const (
	TaskRoot = "/var/task"
	Opt      = "/opt"
	// Runtime is where the runtime's own files go: Lambda's
	// LAMBDA_RUNTIME_DIR.
	Runtime = "/var/runtime"
)

// Lambda's function user, sbx_user1051, and its group; and /tmp's size,
// Lambda's default ephemeral storage (rules §18).
const (
	UID      = 993
	GID      = 990
	TmpBytes = 512 << 20
)

// Disable is the variable that, set to "off", runs the function without a
// sandbox even where one can be had; the run then says so.
const Disable = "AUTOCONFIRM_SANDBOX"

// Mount binds a host path read-only at a path in the sandbox; Writable
// binds it read-write. Without Host, it is a private tmpfs of TmpfsBytes
// at At, writable by the function's user only.
type Mount struct {
	Host, At   string
	Writable   bool
	TmpfsBytes int
}

func (m Mount) args() []string {
	switch {
	case m.Host == "":
		return []string{"--perms", "0700", "--size", strconv.Itoa(m.TmpfsBytes), "--tmpfs", m.At}
	case m.Writable:
		return []string{"--bind", m.Host, m.At}
	}
	return []string{"--ro-bind", m.Host, m.At}
}

// Sandbox is a usable bwrap.
type Sandbox struct {
	// Bwrap is the bwrap binary.
	Bwrap string
	// Version is what bwrap --version says.
	Version string
	// Forwarder, when set, is a binary that runs Forward as
	// ForwardCommand (the runner itself): the sandbox then has a network
	// namespace of its own. Without it, the sandbox shares the host's.
	Forwarder string
	// Offline gives the sandbox a network namespace with only its own
	// loopback, for a tool that needs no network (esbuild).
	Offline bool
	// Memory, when set, is where each environment gets a memory cgroup
	// of its own, in which all the function holds is counted; MemoryWhy
	// says why there is none.
	Memory    *memcg.Parent
	MemoryWhy error
	// MemoryBudget is what all the run's environments may hold together,
	// in bytes: Memory is a cgroup limited to it (runBudget).
	MemoryBudget int64
	// Pids, when set, is where each environment gets a pids cgroup, which
	// refuses a process or thread past Lambda's 1,024; PidsWhy says why
	// there is none.
	Pids    *memcg.Parent
	PidsWhy error
	// Filter says that bwrap loads the system call filter (Seccomp) here;
	// FilterWhy says why not.
	Filter    bool
	FilterWhy error
	// Landlock is the kernel's Landlock ABI, which Confine uses to keep
	// the sandbox's own processes out of the function's reach; zero, with
	// LandlockWhy, where there is none.
	Landlock    int
	LandlockWhy error
	// TmpMB is /tmp's size, the function's ephemeral storage; zero is
	// Lambda's default, TmpBytes.
	TmpMB int
}

// TmpSize is /tmp's size in bytes.
func (s *Sandbox) TmpSize() int64 {
	if s.TmpMB > 0 {
		return int64(s.TmpMB) << 20
	}
	return TmpBytes
}

// PrivateNet reports whether the sandbox has a network namespace of its own.
func (s *Sandbox) PrivateNet() bool { return s.Forwarder != "" || s.Offline }

// Describe says how the function runs, for every report.
func (s *Sandbox) Describe() string {
	network := "host network"
	if s.PrivateNet() {
		network = "own network namespace: only the Runtime API and the endpoints in its environment reachable"
	}
	return fmt.Sprintf("sandboxed (%s: own user, PID, IPC and mount namespaces, uid %d; code read-only at %s, layers at %s, /tmp %d MB (NOT AS ON LAMBDA: a tmpfs, held in this machine's memory, where Lambda keeps it apart from memory); %s; %s; %s; %s; %s; %s)",
		s.Version, UID, TaskRoot, Opt, s.TmpSize()>>20, network, s.filter(), s.confined(), hostProc, s.tasks(), s.memory())
}

// probeFilter checks that bwrap loads the system call filter here.
func probeFilter(ctx context.Context, probe *Sandbox) (bool, error) {
	f, err := Seccomp()
	if err != nil {
		return false, err
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, probe.Bwrap, append([]string{"--seccomp", "3"}, append(probe.Args(nil, "/"), "true")...)...)
	cmd.Env = []string{}
	cmd.ExtraFiles = []*os.File{f}
	if out, err := cmd.CombinedOutput(); err != nil {
		return false, fmt.Errorf("bwrap cannot load it here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	return true, nil
}

// filter says whether a function's system calls are filtered.
func (s *Sandbox) filter() string {
	if s.Filter {
		return "the kernel's key store, ptrace and process_vm_readv/writev refused (EPERM)"
	}
	why := "none was probed"
	if s.FilterWhy != nil {
		why = s.FilterWhy.Error()
	}
	return "NOT AS ON LAMBDA: no system call filter, so the function can use the kernel's key store, whose quota is this machine user's, and ptrace the sandbox's own processes (" + why + ")"
}

// tasks says how the function's processes and threads are bounded.
func (s *Sandbox) tasks() string {
	if s.Pids != nil {
		return "at most 1,024 processes and threads, refused past that by a pids cgroup of each environment's own"
	}
	why := "none was probed"
	if s.PidsWhy != nil {
		why = s.PidsWhy.Error()
	}
	return "NOT AS ON LAMBDA: processes and threads counted every 100 ms, and the function ended past 1,024, where Lambda refuses the next one; a burst between two looks is not refused (" + why + ")"
}

// memory says how the function's memory is counted (rules §18).
func (s *Sandbox) memory() string {
	if s.Memory != nil {
		return fmt.Sprintf("memory counted in a memory cgroup of each environment's own; NOT AS ON LAMBDA: all the environments together, Cognito's retries included, may hold at most %d MB of this machine's memory (%d/4 of what it had available), and a run that needs more stops as a setup error", s.MemoryBudget>>20, budgetShare)
	}
	why := "none was probed"
	if s.MemoryWhy != nil {
		why = s.MemoryWhy.Error()
	}
	return "NOT AS ON LAMBDA: memory counted per process, so memory held in System V message queues or shared memory, or in files in flight over a socket, is not counted (" + why + ")"
}

// hostProc says what of /proc is this machine's, not the environment's.
const hostProc = "NOT AS ON LAMBDA: /proc/meminfo, /proc/loadavg, /proc/uptime and /proc/self/mountinfo show this machine's memory, load and paths; the function has this machine's CPUs, where Lambda gives it CPU in proportion to its configured memory (a whole vCPU at 1,769 MB), so CPU-bound work runs faster here; this machine's /usr libraries stand in for Amazon Linux's, and may load where Lambda's image lacks them"

// ErrUnavailable wraps every reason why no sandbox can be had.
var ErrUnavailable = errors.New("not sandboxed")

// Probe finds bwrap and checks that it can set up the namespaces here. The
// error says why not and how to fix it; getenv reads Disable.
func Probe(ctx context.Context, getenv func(string) string) (*Sandbox, error) {
	if getenv != nil && getenv(Disable) == "off" {
		return nil, fmt.Errorf("%w: %s=off asked for none", ErrUnavailable, Disable)
	}
	bin, err := exec.LookPath("bwrap")
	if err != nil {
		return nil, fmt.Errorf("%w: bubblewrap is not installed; on Debian or Ubuntu, `apt-get install bubblewrap` (make local-tools does)", ErrUnavailable)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	version := exec.CommandContext(ctx, bin, "--version")
	version.Env = []string{} // bwrap needs none of the host's variables
	ver, _ := version.Output()
	sb := &Sandbox{Bwrap: bin, Version: strings.TrimSpace(string(ver))}
	// The probe asks for a network namespace too, as a run with a
	// forwarder does.
	probe := &Sandbox{Bwrap: bin, Offline: true}
	cmd := exec.CommandContext(ctx, bin, append(probe.Args(nil, "/"), "true")...)
	cmd.Env = []string{}
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%w: bubblewrap cannot create user namespaces here (%v: %s); on Ubuntu 24.04, AppArmor restricts them: `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`; elsewhere, `sudo sysctl -w kernel.unprivileged_userns_clone=1`",
			ErrUnavailable, err, strings.TrimSpace(string(out)))
	}
	run := ""
	if getenv != nil {
		run = getenv(memcg.RunEnv)
	}
	if sb.Memory, sb.MemoryWhy = memcg.Find(run); sb.Memory != nil {
		sb.Memory, sb.MemoryBudget, sb.MemoryWhy = runBudget(sb.Memory)
	}
	sb.Pids, sb.PidsWhy = memcg.FindPids(run)
	sb.Filter, sb.FilterWhy = probeFilter(ctx, probe)
	sb.Landlock, sb.LandlockWhy = probeLandlock()
	return sb, nil
}

// budgetShare is the share of this machine's available memory, in
// quarters, that a run's environments may hold together: the rest is left
// to the runner, the local pool and whatever else runs here.
const budgetShare = 3

// runBudget makes the cgroup below found in which the run's environments
// are made, limited to budgetShare quarters of the memory available when
// the run starts. Each environment may hold its memory size, /tmp and the
// sandbox's own, and Cognito's retries can start several at once: without
// a bound for all of them, one sign-up could take this machine's memory
// (red team round 20).
func runBudget(found *memcg.Parent) (*memcg.Parent, int64, error) {
	room, err := found.Room()
	if err != nil {
		return nil, 0, fmt.Errorf("this machine's available memory is unknown, so the run's environments cannot be bounded together: %w", err)
	}
	budget := room / 4 * budgetShare
	within, err := found.Within("all", budget)
	if err != nil {
		return nil, 0, err
	}
	return within, budget, nil
}

// Close removes the cgroup runBudget made, once the run's environments
// have ended.
func (s *Sandbox) Close() error {
	if s == nil {
		return nil
	}
	return s.Memory.Release()
}

// Args is bwrap's argument list, up to and including "--", for a sandbox
// holding mounts (in order: a later mount may go inside an earlier one)
// whose processes start in dir. The command follows.
func (s *Sandbox) Args(mounts []Mount, dir string) []string {
	a := []string{
		"--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
		"--uid", strconv.Itoa(UID), "--gid", strconv.Itoa(GID),
		// No capabilities, even when the runner is root; and no nested user
		// namespace, in which the function could mount a tmpfs of any size
		// past /tmp's cap (rules §18).
		"--cap-drop", "ALL", "--disable-userns",
	}
	if s.PrivateNet() {
		// Only its own loopback, which bwrap brings up.
		a = append(a, "--unshare-net")
	}
	a = append(a,
		// The sandbox dies with the process that started it, and has no
		// controlling terminal to inject input into.
		"--die-with-parent", "--new-session",
		// The programs and libraries of the host's OS stand in for Lambda's
		// Amazon Linux: the runtime's interpreters and their libraries.
		"--ro-bind", "/usr", "/usr",
	)
	a = append(a, rootLinks()...)
	a = append(a,
		// The dynamic loader's cache: Debian's multiarch libraries are found
		// through it. hosts: a handler may name the stack as localhost.
		// ssl/certs: the CA bundle a handler's HTTPS calls verify with,
		// as on Lambda. Nothing else of /etc: no passwd, no secrets.
		"--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
		"--ro-bind-try", "/etc/hosts", "/etc/hosts",
		"--ro-bind-try", "/etc/ssl/certs", "/etc/ssl/certs",
		"--proc", "/proc",
	)
	a = append(a, procCovers()...)
	a = append(a, "--dev", "/dev",
		"--perms", "1777", "--size", strconv.FormatInt(s.TmpSize(), 10), "--tmpfs", "/tmp",
	)
	for _, m := range mounts {
		a = append(a, m.args()...)
	}
	// Lambda's root and /dev are read-only: /tmp is the one place to write.
	return append(a, "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", dir, "--")
}

// procCovers binds /proc's host-wide knobs read-only over the sandbox's
// /proc. When the runner is root, the function's uid maps to the host's
// root, which may write any sysctl (kernel.core_pattern among them) and
// /proc/sysrq-trigger; bwrap covers these only where their directory is
// writable, which /proc/sys's is not.
func procCovers() []string {
	var a []string
	for _, p := range []string{"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus"} {
		a = append(a, "--ro-bind-try", p, p)
	}
	return a
}

// rootLinks mirrors the host's /bin, /lib… : as links into /usr where the
// host merged them (Debian since 12), else bound read-only.
func rootLinks() []string {
	var a []string
	for _, d := range []string{"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"} {
		fi, err := os.Lstat(d)
		switch {
		case err != nil:
		case fi.Mode()&os.ModeSymlink != 0:
			if target, err := os.Readlink(d); err == nil {
				a = append(a, "--symlink", target, d)
			}
		case fi.IsDir():
			a = append(a, "--ro-bind", d, d)
		}
	}
	return a
}

// Command is bwrap's whole argument vector (without bwrap itself) that runs
// argv in the sandbox.
func (s *Sandbox) Command(mounts []Mount, dir string, argv ...string) []string {
	return append(s.Args(mounts, dir), argv...)
}

// Under reports whether p is at or below dir.
func Under(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// Accounts writes into dir the /etc/passwd and /etc/group that name the
// function's user as Lambda's do, and returns their mounts: a runtime asks
// for its user's home directory (Node's os.homedir(), which the AWS SDK
// calls for its config files, fails without an entry), and the host's own
// accounts are none of the function's business.
func Accounts(dir string) ([]Mount, error) {
	files := map[string]string{
		"passwd": fmt.Sprintf("sbx_user1051:x:%d:%d::/home/sbx_user1051:/sbin/nologin\n", UID, GID),
		"group":  fmt.Sprintf("sbx_user1051:x:%d:\n", GID),
	}
	var mounts []Mount
	for _, name := range []string{"passwd", "group"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			return nil, fmt.Errorf("writing the sandbox's /etc/%s: %w", name, err)
		}
		mounts = append(mounts, Mount{Host: p, At: "/etc/" + name})
	}
	return mounts, nil
}
