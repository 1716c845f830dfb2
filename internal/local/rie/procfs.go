package rie

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// errNoProcFS is listensOn's error where /proc does not describe sockets.
var errNoProcFS = errors.New("no /proc/net/tcp on this system")

// listensOn reports whether the loopback socket listening on port belongs
// to the process pid: its inode, from /proc/PID/net/tcp (the sockets of the
// process's own network namespace), is one of the process's open files.
// With descendants, a process below pid counts too: in a sandbox, the
// emulator is bwrap's grandchild, in a network namespace of its own.
func listensOn(pid, port int, descendants bool) (bool, error) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		return false, fmt.Errorf("%w: %v", errNoProcFS, err)
	}
	pids := []int{pid}
	if descendants {
		pids = family(pid)
	}
	inodes, err := listeningInodes(pids, port)
	if err != nil {
		return false, err
	}
	for _, p := range pids {
		fds, err := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", p))
		if err != nil {
			return false, err
		}
		for _, fd := range fds {
			link, err := os.Readlink(fd)
			if err != nil {
				continue
			}
			if inode, ok := strings.CutPrefix(link, "socket:["); ok && inodes[strings.TrimSuffix(inode, "]")] {
				return true, nil
			}
		}
	}
	return false, nil
}

// family is pid and its descendants, as /proc/*/stat's parent ids say.
func family(pid int) []int {
	children := map[int][]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		b, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		i := strings.LastIndexByte(string(b), ')')
		f := strings.Fields(string(b[i+1:]))
		if i < 0 || len(f) < 2 {
			continue
		}
		p, _ := strconv.Atoi(filepath.Base(filepath.Dir(st)))
		pp, _ := strconv.Atoi(f[1])
		children[pp] = append(children[pp], p)
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// listeningInodes returns the inodes of the IPv4 sockets in LISTEN state on
// port, on 127.0.0.1 or any address, in the network namespaces of pids; a
// process that is gone has none.
func listeningInodes(pids []int, port int) (map[string]bool, error) {
	inodes := map[string]bool{}
	seen := map[string]bool{}
	for _, p := range pids {
		ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", p))
		if err != nil || seen[ns] {
			continue
		}
		seen[ns] = true
		if err := addListening(inodes, fmt.Sprintf("/proc/%d/net/tcp", p), port); err != nil {
			return nil, err
		}
	}
	return inodes, nil
}

// addListening adds to inodes those of the sockets listening on port that
// the table at path lists.
func addListening(inodes map[string]bool, path string, port int) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "0A" { // 0A: LISTEN
			continue
		}
		host, hexPort, ok := strings.Cut(fields[1], ":")
		p, err := strconv.ParseUint(hexPort, 16, 16)
		if !ok || err != nil || int(p) != port {
			continue
		}
		if host == "0100007F" || host == "7F000001" || host == "00000000" {
			inodes[fields[9]] = true
		}
	}
	return sc.Err()
}
