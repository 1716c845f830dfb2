package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// sweep kills every live process below this one, again and again until
// none is left, for a process may fork while its siblings die; its reaper
// collects them. It gives up after a second: what forks that fast is
// killed as a subreaper's orphan by the next round anyway.
func sweep() {
	for range 50 {
		left := descendants(os.Getpid())
		if len(left) == 0 {
			return
		}
		for _, pid := range left {
			unix.Kill(pid, unix.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// descendants returns every live process below pid: zombies, which only
// wait to be reaped, are left out.
func descendants(pid int) []int {
	children := map[int][]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if id, ppid, state, ok := parseStat(string(b)); ok && state != "Z" {
			children[ppid] = append(children[ppid], id)
		}
	}
	var out []int
	for queue := children[pid]; len(queue) > 0; queue = queue[1:] {
		out = append(out, queue[0])
		queue = append(queue, children[queue[0]]...)
	}
	return out
}

// parseStat reads the pid, the parent's pid and the state from a
// /proc/PID/stat line; the command name may hold spaces and parentheses.
func parseStat(s string) (pid, ppid int, state string, ok bool) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 1 || end < open {
		return 0, 0, "", false
	}
	f := strings.Fields(s[end+1:]) // state ppid …
	if len(f) < 2 {
		return 0, 0, "", false
	}
	pid, err1 := strconv.Atoi(strings.TrimSpace(s[:open]))
	ppid, err2 := strconv.Atoi(f[1])
	return pid, ppid, f[0], err1 == nil && err2 == nil
}
