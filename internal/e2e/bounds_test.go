//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLoudHandlerStaysBounded: a handler that prints 100 MB at every
// invocation, and exits on sign-ups without an email address, leaves the
// runner's memory bounded (its peak resident set, VmHWM, read from /proc
// while it runs), and the run still classifies the exit by the emulator's
// "Runtime exited …" line, with the status the handler exited with (issue
// 24, point 3).
func TestLoudHandlerStaysBounded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	code := t.TempDir()
	os.WriteFile(filepath.Join(code, "index.mjs"), []byte(`const chunk = "x".repeat(1 << 20) + "\n";
export const handler = async (event) => {
  for (let i = 0; i < 100; i++) process.stdout.write(chunk); // 100 MB, synchronously to a pipe
  if (!event.request.userAttributes.email) process.exit(3);
  return event;
};
`), 0o644)
	reports := t.TempDir()
	cmd := exec.CommandContext(ctx, runner, "local", "--report-dir", reports, "--runtime", "nodejs22.x", "--code", code,
		// 512 MB: the 1 MB buffers each write makes are V8's external
		// memory, which a loaded machine collects late; the subject here is
		// the runner's memory and the exit's classification, not the
		// function's memory size.
		"--profile", "cognito", "--timeout", "10s", "--memory", "512")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "PROFILE=", "TAGS=", "ALIAS_POLICY=", "ALIAS_LOOKUP=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	peak := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-time.After(100 * time.Millisecond):
			peak = max(peak, vmHWM(cmd.Process.Pid))
		}
	}
	status := cmd.ProcessState.ExitCode()
	t.Logf("exit %d; the runner's peak resident set: %d MB", status, peak>>10)
	if status != 1 {
		t.Errorf("exit %d, want 1: an exit is no refusal (rules §11), and the run judges it", status)
	}
	// The bug held every byte: 100 MB an invocation, for every sign-up.
	if limit := 256 << 10; peak == 0 || peak > limit {
		t.Errorf("the runner's peak resident set is %d kB, want some, under %d kB", peak, limit)
	}
	if !bytes.Contains(out.Bytes(), []byte("Runtime exited with error: exit status 3")) {
		t.Errorf("the run does not classify the exit by the emulator's line")
	}
	if t.Failed() {
		t.Logf("the run said:\n%.20000s", out.String())
	}
}

// vmHWM is a process's peak resident set in kB, from /proc; 0 once it has
// gone.
func vmHWM(pid int) int {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}
