package runtimes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// TestBundledFromCode: unsandboxed, esbuild runs on this machine, so a bundle that took
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
			err := bundledFromCode(meta, task, code, nil, "")
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
	// Node.js: a layer's module by its path in /opt, in a sandbox only.
	for _, tt := range []struct {
		handler   string
		sandboxed bool
		ok        bool
	}{
		{"/opt/nodejs/node_modules/datadog-lambda-js/handler.handler", true, true},
		{"/opt/nodejs/node_modules/datadog-lambda-js/handler.handler", false, false},
		{"/opt/../etc/evil.handler", true, false},
		{"/tmp/evil.handler", true, false},
		{"index.handler", false, true},
	} {
		if err := checkNodeHandler(tt.handler, tt.sandboxed); (err == nil) != tt.ok {
			t.Errorf("checkNodeHandler(%q, %v) = %v; want accepted: %v", tt.handler, tt.sandboxed, err, tt.ok)
		}
	}
}

// TestBundledInTheSandbox: in a sandbox esbuild sees the copy at /var/task
// and the code's node_modules bound inside it; its account names them
// there, and is read back through those mounts. Anything else it read
// (the sandbox's /usr, its own binary) is outside the code.
func TestBundledInTheSandbox(t *testing.T) {
	code, work := t.TempDir(), t.TempDir()
	task := filepath.Join(work, "task")
	os.MkdirAll(filepath.Join(code, "node_modules", "dep"), 0o755)
	os.WriteFile(filepath.Join(code, "node_modules", "dep", "index.js"), []byte("x"), 0o644)
	os.MkdirAll(filepath.Join(task, "node_modules"), 0o755) // an empty mount point, as besideRuntime leaves it
	os.WriteFile(filepath.Join(task, "index.ts"), []byte("x"), 0o644)
	l := &layout{sandboxed: true, dir: work, later: []sandbox.Mount{{Host: filepath.Join(code, "node_modules"), At: "/var/task/node_modules"}}}
	mounts := esbuildMounts(l, task, filepath.Join(work, "esbuild"), "/cache/esbuild-x")
	for _, tt := range []struct {
		input   string
		refused bool
	}{
		{"index.ts", false},
		{"node_modules/dep/index.js", false},
		{"../../usr/share/dict/words", true},
		{"/cache/esbuild-x/node_modules/esbuild/package.json", true},
		{"/tmp/esbuild/meta.json", true},
	} {
		t.Run(tt.input, func(t *testing.T) {
			meta := filepath.Join(work, "meta.json")
			os.WriteFile(meta, []byte(`{"inputs":{"`+tt.input+`":{}}}`), 0o644)
			err := bundledFromCode(meta, task, code, mounts, "")
			if refused := err != nil && strings.Contains(err.Error(), "outside its code"); refused != tt.refused {
				t.Errorf("%s: %v; want refused: %v", tt.input, err, tt.refused)
			}
		})
	}
}
