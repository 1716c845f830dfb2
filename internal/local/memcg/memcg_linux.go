//go:build linux

package memcg

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// prefix names the cgroups a run makes, so that a later run can remove
// those a SIGKILLed run left.
const prefix = "autoconfirm-"

// staleAfter is how old an empty cgroup of a run must be before another
// run removes it: an environment's cgroup is empty only for the moment
// between its making and its first process.
const staleAfter = time.Minute

// Parent is the cgroup in which a run makes its environments': of the
// memory controller, or of the pids controller (FindPids).
type Parent struct {
	dir, run, controller string
	// mount is where the controller's hierarchy is mounted.
	mount string
	// made is the cgroup Within made, which Release removes.
	made *Group
}

// Dir is the parent cgroup's directory.
func (p *Parent) Dir() string { return p.dir }

// RunEnv names the variable in which a run's init gives the run the name
// its memory cgroups carry.
const RunEnv = "AUTOCONFIRM_RUN_ID"

// ErrUnavailable wraps every reason why no memory cgroup can be had.
var ErrUnavailable = errors.New("no cgroup")

// Find finds this process's memory cgroup (cgroup v1), checks that a
// cgroup can be made below it, and removes those that runs killed before
// they could clean up left there. run names the cgroups this run makes
// (RunEnv), so that its init can remove them however the run ends.
func Find(run string) (*Parent, error) {
	return find(run, "memory")
}

// FindPids is Find for the pids controller, whose cgroups bound the
// processes and threads an environment may have at once.
func FindPids(run string) (*Parent, error) {
	return find(run, "pids")
}

func find(run, controller string) (*Parent, error) {
	p, err := locate(run, controller)
	if err != nil {
		return nil, err
	}
	limit := int64(1 << 30)
	if controller == "pids" {
		limit = 1024
	}
	probe, err := p.New("probe", limit)
	if err != nil {
		return nil, err
	}
	if err := probe.Remove(); err != nil {
		return nil, err
	}
	p.sweep()
	return p, nil
}

// locate is this process's cgroup of controller, as a Parent for run.
func locate(run, controller string) (*Parent, error) {
	rel, err := ownPath("/proc/self/cgroup", controller)
	if err != nil {
		return nil, err
	}
	mount, root, err := mountOf("/proc/self/mountinfo", controller)
	if err != nil {
		return nil, err
	}
	rel, ok := strings.CutPrefix(rel, root)
	if !ok {
		return nil, fmt.Errorf("%w: this process's %s cgroup %s is outside the mounted hierarchy %s", ErrUnavailable, controller, rel, root)
	}
	return &Parent{dir: filepath.Join(mount, rel), run: run, controller: controller, mount: mount}, nil
}

// RemoveRun removes the cgroups the run named run made, ending what is
// left in them: the run's init calls it once the run ended, however it
// ended, so that a run stopped by any signal leaves none behind.
func RemoveRun(run string) {
	for _, controller := range []string{"memory", "pids"} {
		p, err := locate(run, controller)
		if err != nil || run == "" {
			continue
		}
		dirs, _ := filepath.Glob(filepath.Join(p.dir, prefix+run+"-*"))
		for _, d := range dirs {
			(&Group{dir: d}).Remove()
		}
	}
}

// ownPath is this process's path in controller's hierarchy, from its
// /proc/self/cgroup line "N:...memory...:/path".
func ownPath(file, controller string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	for line := range strings.Lines(string(b)) {
		f := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(f) == 3 && hasWord(f[1], controller) {
			return f[2], nil
		}
	}
	return "", fmt.Errorf("%w: this machine mounts no cgroup v1 %s controller (cgroup v2 is not used: its controllers cannot be given to a child of a cgroup that holds processes)", ErrUnavailable, controller)
}

// mountOf is where controller's v1 hierarchy is mounted, and which of its
// cgroups is the mount's root.
func mountOf(file, controller string) (mount, root string, err error) {
	f, err := os.Open(file)
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional...] - fstype source super-options
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if !ok || len(fields) < 5 || len(tail) < 3 || tail[0] != "cgroup" || !hasWord(tail[2], controller) {
			continue
		}
		return fields[4], fields[3], nil
	}
	return "", "", fmt.Errorf("%w: no cgroup v1 %s controller is mounted here", ErrUnavailable, controller)
}

func hasWord(list, w string) bool {
	for _, x := range strings.Split(list, ",") {
		if x == w {
			return true
		}
	}
	return false
}

// sweep removes the empty cgroups of runs that ended without cleaning up;
// rmdir refuses a cgroup that still holds a process.
func (p *Parent) sweep() {
	dirs, _ := filepath.Glob(filepath.Join(p.dir, prefix+"*"))
	for _, d := range dirs {
		removeStale(d)
	}
}

// removeStale removes dir, and the cgroups below it, that are older than
// staleAfter and empty.
func removeStale(dir string) {
	fi, err := os.Stat(dir)
	if err != nil || time.Since(fi.ModTime()) <= staleAfter {
		return
	}
	for _, sub := range (&Group{dir: dir}).subgroups() {
		removeStale(sub.dir)
	}
	syscall.Rmdir(dir)
}

// Within makes a cgroup below p that holds at most limit bytes, and
// returns it as the Parent of the run's environments: together they can
// hold no more, however many there are, so that a run cannot take this
// machine's memory (rules §18).
func (p *Parent) Within(name string, limit int64) (*Parent, error) {
	g, err := p.New(name, limit)
	if err != nil {
		return nil, err
	}
	return &Parent{dir: g.dir, run: p.run, controller: p.controller, mount: p.mount, made: g}, nil
}

// Release removes a Parent that Within made, and what is left in it; it
// does nothing to one that Find found, which holds this process.
func (p *Parent) Release() error {
	if p == nil || p.made == nil {
		return nil
	}
	return p.made.Remove()
}

// Reached is how many times something in p was refused memory at p's own
// limit (memory.failcnt): each time, the kernel first takes back what it
// can, and ends a process only when it cannot.
func (p *Parent) Reached() int64 {
	n, _ := (&Group{dir: p.dir}).number("memory.failcnt")
	return n
}

// Room is how many bytes p's processes could still hold: what this
// machine has available, or less when p or a cgroup above it is limited.
func (p *Parent) Room() (int64, error) {
	room, err := available("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	for dir := p.dir; strings.HasPrefix(dir, p.mount) && dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		g := &Group{dir: dir}
		limit, err1 := g.number("memory.limit_in_bytes")
		usage, err2 := g.number("memory.usage_in_bytes")
		stat, err3 := g.stat()
		if err1 == nil && err2 == nil && err3 == nil {
			// The page cache is given back under pressure.
			room = min(room, limit-usage+stat["total_active_file"]+stat["total_inactive_file"])
		}
	}
	return max(room, 0), nil
}

// available is /proc/meminfo's MemAvailable in bytes.
func available(file string) (int64, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no MemAvailable in %s", file)
}

// Group is one environment's memory cgroup.
type Group struct {
	dir string
}

// New makes a cgroup below p named for name. Of the memory controller, the
// kernel ends the largest process once all of them hold more than
// hardLimit bytes; of the pids controller, it refuses a new process or
// thread past hardLimit of them (fork and clone fail with EAGAIN).
func (p *Parent) New(name string, hardLimit int64) (*Group, error) {
	// A random suffix: runs in PID namespaces of their own share pids.
	dir, err := os.MkdirTemp(p.dir, prefix+p.run+"-"+name+"-")
	if err != nil {
		return nil, fmt.Errorf("%w: making a %s cgroup in %s: %v", ErrUnavailable, p.controller, p.dir, err)
	}
	g := &Group{dir: dir}
	// Sockets' buffers count only once their limit is set (cgroup v1's
	// tcpmem_active), in a counter of their own, TCP and UDP alike.
	limits := []string{"memory.limit_in_bytes", "memory.kmem.tcp.limit_in_bytes"}
	if p.controller == "pids" {
		limits = []string{"pids.max"}
	}
	for _, f := range limits {
		if err := g.write(f, strconv.FormatInt(hardLimit, 10)); err != nil {
			g.Remove()
			return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
	}
	return g, nil
}

func (g *Group) write(file, v string) error {
	return os.WriteFile(filepath.Join(g.dir, file), []byte(v), 0)
}

// Add moves pid into the group; what it starts afterwards is in it too.
func (g *Group) Add(pid int) error {
	if err := g.write("cgroup.procs", strconv.Itoa(pid)); err != nil {
		return fmt.Errorf("moving process %d into its cgroup %s: %w", pid, g.dir, err)
	}
	return nil
}

// Held is what the group's processes hold in bytes, as a function's
// memory: anonymous and shared memory (memory files, System V shared
// memory) and the kernel's memory on their behalf (message queues, epoll
// watches; sockets' buffers, which cgroup v1 counts apart), without the
// page cache of files read, which the kernel gives back under pressure.
func (g *Group) Held() (int64, error) {
	usage, err := g.number("memory.usage_in_bytes")
	if err != nil {
		return 0, err
	}
	sockets, err := g.number("memory.kmem.tcp.usage_in_bytes")
	if err != nil {
		return 0, err
	}
	stat, err := g.stat()
	if err != nil {
		return 0, err
	}
	// Shared memory sits on the anonymous lists; the file lists are cache.
	return max(0, usage-stat["active_file"]-stat["inactive_file"]) + sockets, nil
}

// Tasks is how many processes and threads a pids group holds.
func (g *Group) Tasks() (int64, error) {
	return g.number("pids.current")
}

// LimitTasks sets a pids group's limit.
func (g *Group) LimitTasks(n int64) error {
	return g.write("pids.max", strconv.FormatInt(n, 10))
}

// OOMKills is how many processes the kernel ended at the group's limit.
func (g *Group) OOMKills() int {
	b, _ := os.ReadFile(filepath.Join(g.dir, "memory.oom_control"))
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "oom_kill "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

func (g *Group) number(file string) (int64, error) {
	b, err := os.ReadFile(filepath.Join(g.dir, file))
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

func (g *Group) stat() (map[string]int64, error) {
	b, err := os.ReadFile(filepath.Join(g.dir, "memory.stat"))
	if err != nil {
		return nil, err
	}
	m := map[string]int64{}
	for line := range strings.Lines(string(b)) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		m[k], _ = strconv.ParseInt(v, 10, 64)
	}
	return m, nil
}

// Remove kills what is left in the group and removes it, waiting up to a
// second for the processes to be gone.
func (g *Group) Remove() error {
	// A run's cgroup holds its environments' (Within).
	var errs []error
	for _, sub := range g.subgroups() {
		errs = append(errs, sub.Remove())
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	deadline := time.Now().Add(time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(g.dir, "cgroup.procs"))
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		err := syscall.Rmdir(g.dir)
		if err == nil || errors.Is(err, syscall.ENOENT) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("removing the cgroup %s: %w", g.dir, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// subgroups are the cgroups below g.
func (g *Group) subgroups() []*Group {
	entries, _ := os.ReadDir(g.dir)
	var subs []*Group
	for _, e := range entries {
		if e.IsDir() {
			subs = append(subs, &Group{dir: filepath.Join(g.dir, e.Name())})
		}
	}
	return subs
}
