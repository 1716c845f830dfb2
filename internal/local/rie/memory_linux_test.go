package rie

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWatchEndsAFunctionOverItsMemory: a function below the emulator that
// holds more than its memory size is killed, and the run says why; the
// emulator itself is left to report the exit.
func TestWatchEndsAFunctionOverItsMemory(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	fake := filepath.Join(t.TempDir(), rieComm) // named as the emulator is
	b, _ := os.ReadFile(sh)
	if err := os.WriteFile(fake, b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, script string
		ended        bool
		// ns runs it in a PID namespace of its own, as bwrap runs an
		// environment, whose init takes in the orphans.
		ns bool
	}{
		{"64 MB held, over 32", `python3 -c 'x = b"x" * (64 << 20); import time; time.sleep(20)'`, true, false},
		{"a little held, under 32", `python3 -c 'import time; time.sleep(1)'`, false, false},
		// An orphan of a double fork is still the function's.
		{"64 MB held by an orphan", `(setsid python3 -c 'x = b"x" * (64 << 20); import time; time.sleep(20)' &) ; sleep 20`, true, true},
		{"64 MB in a memory file nothing maps", `python3 -c 'import os, time; f = os.memfd_create("x"); os.write(f, b"x" * (64 << 20)); time.sleep(20)'`, true, false},
		// A process that names itself as the sandbox's own is still the
		// function's: those are known by their place.
		{"64 MB held by a process named as the emulator", `python3 -c 'import ctypes, time; ctypes.CDLL(None).prctl(15, b"` + rieComm + `", 0, 0, 0); x = b"x" * (64 << 20); time.sleep(20)'`, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(fake, "-c", tt.script+"; echo exited $?")
			if tt.ns {
				if exec.Command("unshare", "--user", "--pid", "--ipc", "--fork", "true").Run() != nil {
					t.Skip("no PID namespace can be had here (unshare --user --pid --fork fails), as no sandbox can")
				}
				cmd = exec.Command("unshare", "--user", "--pid", "--ipc", "--fork", fake, "-c", tt.script+"; echo exited $?")
			}
			var out strings.Builder
			cmd.Stdout = &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done, said := make(chan struct{}), make(chan string, 1)
			go watch(cmd.Process.Pid, 32, watched{}, done, func(why string) { said <- why })
			start := time.Now()
			cmd.Wait()
			close(done)
			var why string
			select {
			case why = <-said:
			default:
			}
			if ended := why != ""; ended != tt.ended {
				t.Fatalf("ended: %v (%q, after %s, %q); want %v", ended, why, time.Since(start), out.String(), tt.ended)
			}
			if tt.ended && (!strings.Contains(why, "memory size of 32 MB") || !strings.Contains(out.String(), "exited 137")) {
				t.Errorf("said %q; the function printed %q; want it killed (137) and the limit named", why, out.String())
			}
		})
	}
}
