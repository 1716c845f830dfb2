package runtimes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBundledFromCode: esbuild runs on this machine, so a bundle that took
// in a file from outside the code (an import of /etc/passwd, a module up
// out of the directory) is refused before the function sees it; the code's
// own files and its node_modules, linked or not, are not.
func TestBundledFromCode(t *testing.T) {
	code, work := t.TempDir(), t.TempDir()
	task := filepath.Join(work, "task")
	os.MkdirAll(filepath.Join(code, "node_modules", "dep"), 0o755)
	os.WriteFile(filepath.Join(code, "node_modules", "dep", "index.js"), []byte("x"), 0o644)
	os.MkdirAll(task, 0o755)
	os.WriteFile(filepath.Join(task, "index.ts"), []byte("x"), 0o644)
	os.Symlink(filepath.Join(code, "node_modules"), filepath.Join(task, "node_modules"))
	for _, tt := range []struct {
		name, input string
		refused     bool
	}{
		{"the handler's own module", "index.ts", false},
		{"a dependency through the linked node_modules", "node_modules/dep/index.js", false},
		{"a host file by its absolute path", "/etc/passwd", true},
		{"a host file up out of the code", "../../../../../../../../etc/passwd", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			meta := filepath.Join(work, "meta.json")
			os.WriteFile(meta, []byte(`{"inputs":{"`+tt.input+`":{}}}`), 0o644)
			err := bundledFromCode(meta, task, code)
			if refused := err != nil && strings.Contains(err.Error(), "outside its code"); refused != tt.refused {
				t.Errorf("%s: %v; want refused: %v", tt.input, err, tt.refused)
			}
		})
	}
}

// TestHandlerStaysInTheCode: a handler's module is a path in the code, as
// Lambda reads it.
func TestHandlerStaysInTheCode(t *testing.T) {
	for h, ok := range map[string]bool{"index.handler": true, "src/functions/pre_sign_up.handler": true,
		"../evil.handler": false, "/tmp/evil.handler": false, "src/../../evil.handler": false} {
		if err := checkHandler(h); (err == nil) != ok {
			t.Errorf("checkHandler(%q) = %v; want accepted: %v", h, err, ok)
		}
	}
}
