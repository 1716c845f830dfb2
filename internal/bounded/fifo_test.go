//go:build unix

package bounded

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFIFOsAreRefusedUnopened: a FIFO among the inputs is refused before it
// is opened, which would wait for a writer for ever (red team round 22: a
// FIFO named zz.json among the fixtures hung `local`, past SIGTERM).
func TestFIFOsAreRefusedUnopened(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "zz.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO can be made here: %v", err)
	}
	fsys, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		read func() error
	}{
		{"ReadFile", func() error { _, err := ReadFile(fifo, Record, "rule"); return err }},
		{"ReadFS of a directory", func() error { _, err := ReadFS(fsys, "zz.json", Fixture, "rule"); return err }},
		{"CheckTree", func() error { return CheckTree(fsys, FixtureTree()) }},
		{"Open of a directory", func() error {
			f, err := fsys.Open("zz.json")
			if err == nil {
				f.Close()
			}
			return err
		}},
	} {
		done := make(chan error, 1)
		go func() { done <- tt.read() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("%s: %v, want it refused as not a regular file", tt.name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: still waiting on the FIFO after 5 s", tt.name)
		}
	}
}
