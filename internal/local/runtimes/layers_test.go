package runtimes

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLayers: layers are laid out in order, a later one's file replacing an
// earlier one's, from directories and zips, and the runtime is pointed at
// them where Lambda's looks in /opt.
func TestLayers(t *testing.T) {
	first := t.TempDir()
	os.MkdirAll(filepath.Join(first, "nodejs", "node_modules", "a"), 0o755)
	os.WriteFile(filepath.Join(first, "nodejs", "node_modules", "a", "index.js"), []byte("first"), 0o644)
	os.WriteFile(filepath.Join(first, "shared.txt"), []byte("first"), 0o644)
	second := filepath.Join(t.TempDir(), "second.zip")
	f, _ := os.Create(second)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("shared.txt")
	w.Write([]byte("second"))
	zw.Close()
	f.Close()
	dir := t.TempDir()
	opt, err := Layers(dir, []string{first, second})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(opt, "shared.txt")); string(b) != "second" {
		t.Errorf("shared.txt is %q: the later layer should replace it", b)
	}
	if b, _ := os.ReadFile(filepath.Join(opt, "nodejs", "node_modules", "a", "index.js")); string(b) != "first" {
		t.Errorf("the first layer's module is %q", b)
	}
	for _, tt := range []struct {
		rt   Runtime
		want string
	}{
		{Runtime{Name: "nodejs22.x", Kind: Node, Major: 22}, "NODE_PATH=" + filepath.Join(opt, "nodejs", "node22", "node_modules") + ":" + filepath.Join(opt, "nodejs", "node_modules")},
		{Runtime{Name: "python3.12", Kind: Python, Minor: 12}, "PYTHONPATH=" + filepath.Join(opt, "python", "lib", "python3.12", "site-packages") + ":" + filepath.Join(opt, "python")},
		{Runtime{Name: "provided.al2023", Kind: Provided}, "LD_LIBRARY_PATH=" + filepath.Join(opt, "lib")},
	} {
		if env := strings.Join(layerEnv(tt.rt, opt), "\n"); !strings.Contains(env, tt.want) {
			t.Errorf("%s: the environment lacks %s:\n%s", tt.rt.Name, tt.want, env)
		}
	}
	if _, err := Layers(dir, []string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("a layer that does not exist was laid out")
	}
}
