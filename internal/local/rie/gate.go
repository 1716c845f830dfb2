package rie

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/memcg"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// gate is how a sandboxed environment starts: bwrap says on --info-fd
// which process holds the sandbox, and, when the environment has a memory
// cgroup, waits on --block-fd until that process is in it, so that all the
// function starts is counted there (rules §18).
type gate struct {
	infoR, infoW   *os.File
	blockR, blockW *os.File
	mem, pids      *memcg.Group
	// budget is the cgroup of all the run's environments, of budgetMB.
	budget   *memcg.Parent
	budgetMB int64
	// seccomp holds the system call filter bwrap loads, when it can.
	seccomp *os.File
}

// headroom is what an environment's memory cgroup allows over the memory
// size besides /tmp's tmpfs, which Lambda keeps apart from memory: the
// sandbox's own processes. The watch ends a function at its memory size;
// the kernel's limit is only the backstop for what grows faster than the
// watch looks.
const headroom = 256 << 20

// newGate makes the pipes, and the memory cgroup when the sandbox can have
// one and memoryMB is set.
func newGate(sb *sandbox.Sandbox, memoryMB int) (*gate, error) {
	g := &gate{}
	var err error
	if g.infoR, g.infoW, err = os.Pipe(); err != nil {
		return nil, fmt.Errorf("a pipe for bwrap's --info-fd: %w", err)
	}
	if sb.Filter {
		if g.seccomp, err = sandbox.Seccomp(); err != nil {
			g.close()
			return nil, fmt.Errorf("the system call filter: %w", err)
		}
	}
	if sb.Pids != nil {
		if g.pids, err = sb.Pids.New("tasks", MaxTasks+startTasks); err != nil {
			g.close()
			return nil, err
		}
	}
	if sb.Memory != nil && memoryMB > 0 {
		if g.mem, err = sb.Memory.New("env", int64(memoryMB)<<20+sb.TmpSize()+headroom); err != nil {
			g.remove()
			g.close()
			return nil, err
		}
		g.budget, g.budgetMB = sb.Memory, sb.MemoryBudget>>20
	}
	if g.mem == nil && g.pids == nil {
		return g, nil
	}
	if g.blockR, g.blockW, err = os.Pipe(); err != nil {
		g.remove()
		g.close()
		return nil, fmt.Errorf("a pipe for bwrap's --block-fd: %w", err)
	}
	return g, nil
}

// args are bwrap's flags for the gate, naming the fds of files in order
// (ExtraFiles start at fd 3).
func (g *gate) args() []string {
	a := []string{"--info-fd", "3"}
	fd := 4
	if g.blockR != nil {
		a = append(a, "--block-fd", strconv.Itoa(fd))
		fd++
	}
	if g.seccomp != nil {
		a = append(a, "--seccomp", strconv.Itoa(fd))
	}
	return a
}

func (g *gate) files() []*os.File {
	f := []*os.File{g.infoW}
	if g.blockR != nil {
		f = append(f, g.blockR)
	}
	if g.seccomp != nil {
		f = append(f, g.seccomp)
	}
	return f
}

// open reads which process holds the sandbox, puts it in the memory
// cgroup, and lets the sandbox go on. It is called once bwrap started.
func (g *gate) open() (int, error) {
	// The child's ends: with them closed, bwrap's exit ends the read.
	g.infoW.Close()
	if g.blockR != nil {
		g.blockR.Close()
	}
	g.infoR.SetReadDeadline(time.Now().Add(10 * time.Second))
	var msg struct {
		Pid int `json:"child-pid"`
	}
	if err := json.NewDecoder(g.infoR).Decode(&msg); err != nil || msg.Pid <= 0 {
		why := fmt.Sprintf("it gave child-pid %d", msg.Pid)
		if err != nil {
			why = err.Error()
		}
		return 0, fmt.Errorf("bwrap did not say which process holds the sandbox (%s); is it bubblewrap 0.8.0 or later?", why)
	}
	for _, cg := range []*memcg.Group{g.mem, g.pids} {
		if cg == nil {
			continue
		}
		if err := cg.Add(msg.Pid); err != nil {
			return 0, err
		}
	}
	if g.blockW != nil {
		if _, err := g.blockW.Write([]byte{1}); err != nil {
			return 0, fmt.Errorf("letting the sandbox start: %w", err)
		}
	}
	return msg.Pid, nil
}

// outOfMachine says, once the kernel ended a process in the environment
// while the run's environments together held all that the run may take
// of this machine's memory, that the run cannot be judged; else nil.
func (g *gate) outOfMachine() error {
	if g == nil || g.mem == nil || g.budget == nil || g.mem.OOMKills() == 0 || g.budget.Reached() == 0 {
		return nil
	}
	return fmt.Errorf("%w: the run's environments together reached the %d MB it may take, and the kernel ended a process in one of them; on Lambda each environment has memory of its own, so this run cannot be judged here: free memory on this machine, or lower --memory or --ephemeral-storage",
		ErrMachineMemory, g.budgetMB)
}

// remove removes the cgroups, once the environment ended.
func (g *gate) remove() {
	if g == nil {
		return
	}
	for _, cg := range []*memcg.Group{g.mem, g.pids} {
		if cg != nil {
			cg.Remove()
		}
	}
}

// MaxTasks is Lambda's limit on an environment's processes and threads
// (rules §18).
const MaxTasks = 1024

// startTasks is room for the sandbox's own processes (bwrap's init, the
// forwarder, the emulator, and their threads) while they start, and
// ownSlack for the threads they may add later.
const (
	startTasks = 256
	ownSlack   = 16
)

// limitTasks gives the function Lambda's 1,024 processes and threads: once
// the emulator listens, and before it starts the runtime, the pids group
// holds only the sandbox's own, which the limit leaves room for.
func (g *gate) limitTasks() error {
	if g == nil || g.pids == nil {
		return nil
	}
	own, err := g.pids.Tasks()
	if err == nil {
		err = g.pids.LimitTasks(own + ownSlack + MaxTasks)
	}
	if err != nil {
		return fmt.Errorf("limiting the environment's processes and threads: %w", err)
	}
	return nil
}

// close closes the pipes; the memory cgroup lives on with the environment.
func (g *gate) close() {
	if g == nil {
		return
	}
	for _, f := range []*os.File{g.infoR, g.infoW, g.blockR, g.blockW, g.seccomp} {
		if f != nil {
			f.Close()
		}
	}
}
