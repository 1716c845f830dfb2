package bounded

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDirKeepsLinksIn: a fixture or feature linked to a file outside its
// directory is refused, naming the link; one linked inside is read.
func TestDirKeepsLinksIn(t *testing.T) {
	dir, host := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(host, "secret.json"), []byte(`{"key":"host"}`), 0o600)
	os.WriteFile(filepath.Join(dir, "own.json"), []byte(`{}`), 0o644)
	os.Symlink(filepath.Join(host, "secret.json"), filepath.Join(dir, "leak.json"))
	os.Symlink("own.json", filepath.Join(dir, "alias.json"))
	fsys, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, ok := range map[string]bool{"own.json": true, "alias.json": true, "leak.json": false} {
		b, err := fs.ReadFile(fsys, name)
		switch {
		case ok && err != nil:
			t.Errorf("%s: %v", name, err)
		case !ok && (err == nil || !strings.Contains(err.Error(), "links outside")):
			t.Errorf("%s: read %q, %v; want refused as a link outside", name, b, err)
		}
	}
	if err := CheckTree(fsys, FixtureTree()); err == nil || !strings.Contains(err.Error(), "leak.json") {
		t.Errorf("CheckTree = %v; want the link named", err)
	}
}
