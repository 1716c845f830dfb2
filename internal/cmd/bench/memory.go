package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
	"github.com/autoconfirm/autoconfirm/internal/local/rie"
)

func memory(ctx context.Context, bootstrap string, n int) error {
	bin, err := rie.Binary(ctx)
	if err != nil {
		return err
	}
	fake := cognitofake.New()
	defer fake.Close()
	p, err := rie.Start(ctx, bin, bootstrap, fakeEnv(fake), nil)
	if err != nil {
		return err
	}
	defer p.Stop()
	payloads := [][]byte{fixture("email-only"), fixture("email-and-phone"), fixture("neither"), fixture("alias-both")}
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := p.Invoke(ctx, payloads[i%len(payloads)]); err != nil {
			return err
		}
		if i%2500 == 2499 {
			fmt.Fprintf(os.Stderr, "bench: %d/%d invocations\n", i+1, n)
		}
	}
	took := time.Since(start)
	pid, err := childPid(p.Pid())
	if err != nil {
		return err
	}
	hwm, rss, err := rssOf(pid)
	if err != nil {
		return err
	}
	fmt.Printf("\n## 5. Memory\n\n%d invocations of dist/bootstrap (default policy, lookups against the fake pool) under the emulator in %.1f s.\n\n", n, took.Seconds())
	fmt.Printf("| peak RSS (VmHWM) | RSS now | target |\n|---|---|---|\n| %.1f MB | %.1f MB | ≤ 30 MB %s |\n", hwm, rss, verdict(hwm <= 30))
	return nil
}

// childPid finds the function process the emulator started.
func childPid(parent int) (int, error) {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", parent))
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				return pid, nil
			}
		}
	}
	return 0, fmt.Errorf("the emulator (pid %d) has no child process", parent)
}

func rssOf(pid int) (hwm, rss float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, l := range bytes.Split(b, []byte("\n")) {
		f := strings.Fields(string(l))
		if len(f) >= 2 {
			v, _ := strconv.ParseFloat(f[1], 64)
			switch f[0] {
			case "VmHWM:":
				hwm = v / 1024
			case "VmRSS:":
				rss = v / 1024
			}
		}
	}
	return hwm, rss, nil
}
