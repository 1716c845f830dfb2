package rie

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/memcg"
)

// Lambda ends a function whose processes hold more memory than its memory
// size, and refuses more than 1,024 processes and threads in an
// environment (rules §18). The emulator does neither, so the runner
// watches the function's processes in each environment: the runtime, and
// whatever it starts.
const (
	memoryEvery = 100 * time.Millisecond
	maxTasks    = 1024
)

// usage is what a function's processes hold: private resident memory
// (anonymous and shared-memory pages; the binaries and libraries mapped
// from files are left out, which errs towards letting a handler pass) and
// their processes and threads.
type usage struct {
	bytes int64
	tasks int
	pids  []int
}

// watch ends the function in the environment started as root when its
// usage goes over limitMB or maxTasks, until done closes, and says why.
// The runtime then exits as on Lambda, killed, and the emulator reports
// it. In a memory cgroup (w.memGroup) it counts all the environment holds, and
// says when the kernel ended a process at the cgroup's limit.
func watch(root int, limitMB int, w watched, done <-chan struct{}, say func(string)) {
	t := time.NewTicker(memoryEvery)
	defer t.Stop()
	env := environment{watched: w}
	oomSaid := 0
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		u := env.function(root)
		var why string
		switch {
		case w.memGroup() != nil && w.memGroup().OOMKills() > oomSaid:
			oomSaid = w.memGroup().OOMKills()
			if err := w.gate.outOfMachine(); err != nil {
				w.stop(err) // an abandoned invocation's environment too
				continue
			}
			say(fmt.Sprintf("the function held more than its memory size of %d MB and /tmp together, and the kernel ended it at its environment's limit, as Lambda ends a function out of memory (Runtime.OutOfMemory; rules §18)", limitMB))
			continue
		case u.bytes > int64(limitMB)<<20:
			why = fmt.Sprintf("the function held %d MB, more than its memory size of %d MB: ended, as Lambda ends a function out of memory (Runtime.OutOfMemory; rules §18)", u.bytes>>20, limitMB)
		case u.tasks > maxTasks && !env.pidsBounded():
			// With a pids cgroup, the kernel refuses the next task, as
			// Lambda does, and the function may go on (red team round 20).
			why = fmt.Sprintf("the function ran %d processes and threads, more than Lambda's %d: ended (rules §18)", u.tasks, maxTasks)
		default:
			continue
		}
		say(why) // before the runtime's exit, which the emulator reports
		for _, pid := range u.pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// environment is what the watch knows of an environment: the pids of the
// sandbox's own processes (bwrap, its init, the network forwarder, the
// emulator), found once by their place, root down to the emulator, before
// the emulator starts the function, which could name its own processes as
// those are named.
type environment struct {
	watched
	own map[int]bool
	// ownBase is what the sandbox's own processes held when first found.
	ownBase int64
}

// watched is what the watch knows of a sandboxed environment: the process
// that holds the sandbox, and the environment's memory cgroup, if any.
type watched struct {
	sandbox int
	// gate holds the environment's cgroups, if any; stop ends the run when
	// the run's environments together ran out of this machine's memory.
	gate *gate
	stop func(error)
}

// memGroup is the environment's memory cgroup, or nil.
func (w watched) memGroup() *memcg.Group {
	if w.gate == nil {
		return nil
	}
	return w.gate.mem
}

// pidsBounded says whether a pids cgroup bounds the environment's tasks.
func (w watched) pidsBounded() bool { return w.gate != nil && w.gate.pids != nil }

// ownGrowth is how much the sandbox's own processes may grow and still
// not count as the function's: the emulator holds an answer of up to 6 MB.
const ownGrowth = 16 << 20

// function is the usage of the function's processes: every process of
// the environment but the sandbox's own. A process the function orphaned
// (a double fork) is still there, below bwrap's init. Its memory files
// (memfd_create), which no map need show, count too, each once. System V
// IPC is not counted per process: reading it means joining the
// environment's IPC namespace, and a thread that joined it and could not
// return would end, and with it every child it started with a parent-death
// signal. An environment with a memory cgroup counts all it holds instead,
// System V IPC and memory files in flight included.
func (e *environment) function(root int) usage {
	all := append([]int{root}, descendants(root)...)
	if e.own == nil && !e.find(root, all) {
		return usage{}
	}
	var u usage
	var own int64
	files := map[[2]uint64]int64{}
	for _, pid := range all {
		b, n := status(pid)
		if e.own[pid] {
			own += b
			continue
		}
		u.bytes += b
		u.tasks += n
		u.pids = append(u.pids, pid)
		if e.memGroup() == nil { // a cgroup counts memory files itself
			memoryFiles(pid, files)
		}
	}
	for _, size := range files {
		u.bytes += size
	}
	if e.memGroup() != nil {
		u.bytes = e.held(own)
	}
	return u
}

// held is what the environment's memory cgroup holds, less its /tmp, which
// Lambda keeps apart from memory, and less what the sandbox's own
// processes hold (own), up to what they held when found and ownGrowth: a
// function cannot hide memory in them.
func (e *environment) held(own int64) int64 {
	if e.ownBase == 0 {
		e.ownBase = own + 1
	}
	all, err := e.memGroup().Held()
	if err != nil {
		return 0
	}
	var tmp int64
	var fs syscall.Statfs_t
	if syscall.Statfs(fmt.Sprintf("/proc/%d/root/tmp", e.sandbox), &fs) == nil {
		tmp = int64(fs.Blocks-fs.Bfree) * fs.Bsize
	}
	return all - tmp - min(own, e.ownBase+ownGrowth)
}

// find records the sandbox's own processes: the first process named as
// the emulator in all (root and its descendants, shallowest first), and
// those between it and root. It reports whether the emulator is there yet.
func (e *environment) find(root int, all []int) bool {
	for _, pid := range all {
		if comm(pid) != rieComm {
			continue
		}
		e.own = map[int]bool{}
		for p := pid; p > 0; p = parent(p) {
			if e.own[p] = true; p == root {
				break
			}
		}
		return true
	}
	return false
}

// parent is a process's parent, from its status.
func parent(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "PPid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// memoryFiles adds pid's open memory files (memfd_create's) to files, by
// device and inode, with the bytes each holds.
func memoryFiles(pid int, files map[[2]uint64]int64) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	fds, _ := os.ReadDir(dir)
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(dir, fd.Name()))
		if err != nil || !strings.HasPrefix(target, "/memfd:") {
			continue
		}
		var st syscall.Stat_t
		if syscall.Stat(filepath.Join(dir, fd.Name()), &st) == nil {
			files[[2]uint64{st.Dev, st.Ino}] = st.Blocks * 512
		}
	}
}

// rieComm is the emulator's process name, as the kernel keeps it (15
// bytes at most).
const rieComm = "aws-lambda-rie"

// descendants are pid's children, theirs, and so on, from each thread's
// children list.
func descendants(pid int) []int {
	var all []int
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", queue[0]))
		for _, f := range tasks {
			b, _ := os.ReadFile(f)
			for _, field := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(field); err == nil {
					all = append(all, c)
					queue = append(queue, c)
				}
			}
		}
	}
	return all
}

func comm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}

// status is a process's private resident memory in bytes and its threads.
func status(pid int) (int64, int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	var kb int64
	threads := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "RssAnon", "RssShmem":
			kb += n
		case "Threads":
			threads = int(n)
		}
	}
	return kb << 10, threads
}
