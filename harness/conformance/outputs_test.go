package conformance

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNoLinkIn: a report directory in the working directory that is, or
// is below, a symbolic link is refused before anything is cleared; a real
// one, one not made yet, and one outside the working directory are not.
func TestNoLinkIn(t *testing.T) {
	wd, outside := t.TempDir(), t.TempDir()
	t.Chdir(wd)
	os.MkdirAll("real/sub", 0o755)
	os.Symlink(outside, "reports")
	os.WriteFile(filepath.Join(outside, JUnitFile), []byte("planted"), 0o644)
	for _, tt := range []struct {
		dir     string
		refused bool
	}{
		{"reports", true},
		{"reports/local", true},
		{filepath.Join(wd, "reports", "x"), true},
		{"real/sub", false},
		{"new/dir", false},
		{outside, false},
	} {
		if err := NoLinkIn(tt.dir); (err != nil) != tt.refused {
			t.Errorf("NoLinkIn(%s) = %v; want refused: %v", tt.dir, err, tt.refused)
		}
	}
	if err := ClearReports("reports"); err == nil {
		t.Errorf("ClearReports cleared through a link")
	}
	if _, err := os.Stat(filepath.Join(outside, JUnitFile)); err != nil {
		t.Errorf("the file the link leads to was removed: %v", err)
	}
}
