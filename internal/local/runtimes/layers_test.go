package runtimes

import (
	"archive/zip"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
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
	opt, err := Layers(dir, &codezip.Budget{}, []string{first, second})
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
	} {
		if env := strings.Join(layerEnv(tt.rt, opt), "\n"); !strings.Contains(env, tt.want) {
			t.Errorf("%s: the environment lacks %s:\n%s", tt.rt.Name, tt.want, env)
		}
	}
	if _, err := Layers(dir, &codezip.Budget{}, []string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("a layer that does not exist was laid out")
	}
}

// TestLayersRefused: a layer that holds a symlink to its own ancestor, a
// symlink out of its tree (a zip's, or a directory's, which would show the
// function a home directory's credentials), or layers over Lambda's 250 MB together, are
// refused with the reason, before they are copied, rather than followed
// until the stack overflows or copied whole; so is what is not a file: a
// /proc file, whose size stat does not tell, and a fifo.
func TestLayersRefused(t *testing.T) {
	loop := t.TempDir()
	os.MkdirAll(filepath.Join(loop, "nodejs", "node_modules"), 0o755)
	os.Symlink("../..", filepath.Join(loop, "nodejs", "node_modules", "self"))
	out := filepath.Join(t.TempDir(), "out.zip")
	writeZip(t, out, func(zw *zip.Writer) {
		hdr := &zip.FileHeader{Name: "python/creds"}
		hdr.SetMode(fs.ModeSymlink | 0o777)
		w, _ := zw.CreateHeader(hdr)
		w.Write([]byte("../../../../home/user/.aws/credentials"))
	})
	sixty := filepath.Join(t.TempDir(), "sixty.zip")
	writeZip(t, sixty, func(zw *zip.Writer) {
		w, _ := zw.Create("lib/big")
		w.Write(make([]byte, 60<<20))
	})
	sparse := t.TempDir()
	f, _ := os.Create(filepath.Join(sparse, "huge"))
	f.Truncate(200 << 20) // sparse: no disk used
	f.Close()
	pagemap := t.TempDir() // stat says 0 bytes; it reads without end
	os.MkdirAll(filepath.Join(pagemap, "nodejs"), 0o755)
	os.Symlink("/proc/self/pagemap", filepath.Join(pagemap, "nodejs", "pm"))
	home := t.TempDir() // what a link out reaches: a home directory
	os.MkdirAll(filepath.Join(home, ".aws"), 0o755)
	os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte("secret"), 0o600)
	linkOut := t.TempDir()
	os.Symlink(home, filepath.Join(linkOut, "h"))
	fileOut := t.TempDir()
	os.MkdirAll(filepath.Join(fileOut, "python"), 0o755)
	os.Symlink(filepath.Join(home, ".aws", "credentials"), filepath.Join(fileOut, "python", "creds"))
	fifo := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(fifo, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		layers []string
		err    error
	}{
		{"a symlink to its own ancestor", []string{loop}, codezip.ErrLoop},
		{"a zip's symlink out of the tree", []string{out}, codezip.ErrOutside},
		{"a directory's symlink to a home directory", []string{linkOut}, codezip.ErrOutside},
		{"a directory's symlink to a file out of it", []string{fileOut}, codezip.ErrOutside},
		{"260 MB in two layers", []string{sixty, sparse}, codezip.ErrLimit},
		{"a symlink to /proc/self/pagemap", []string{pagemap}, codezip.ErrNotFile},
		{"a fifo", []string{fifo}, codezip.ErrNotFile},
		{"six layers", []string{loop, loop, loop, loop, loop, loop}, codezip.ErrLimit},
		{"a layer that is a fifo, not a zip", []string{filepath.Join(fifo, "pipe")}, codezip.ErrNotFile},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Layers(dir, &codezip.Budget{}, tt.layers)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			for _, f := range []string{"huge", "h", "python/creds"} {
				if _, err := os.Stat(filepath.Join(dir, "opt", f)); err == nil {
					t.Errorf("%s was laid out", f)
				}
			}
		})
	}
}

func writeZip(t *testing.T, path string, fill func(*zip.Writer)) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	fill(zw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestCodeAndLayersCountTogether: Lambda's 250 MB quota is on the code and
// its layers together: 150 MB of code with a 150 MB layer is refused, as
// Lambda refuses to deploy it (red team round 17).
func TestCodeAndLayersCountTogether(t *testing.T) {
	code, layer := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\n"), 0o755)
	for _, d := range []string{code, layer} {
		f, _ := os.Create(filepath.Join(d, "model.bin"))
		f.Truncate(150 << 20) // sparse: no disk used
		f.Close()
	}
	rt, _ := ParseRuntime("provided.al2023")
	c := Cache{Dir: t.TempDir()}
	if _, err := c.Prepare(context.Background(), rt, code, "", t.TempDir(), layer); !errors.Is(err, codezip.ErrLimit) {
		t.Errorf("300 MB of code and layer: %v, want %v", err, codezip.ErrLimit)
	}
	if _, err := c.Prepare(context.Background(), rt, code, "", t.TempDir()); err != nil {
		t.Errorf("150 MB of code alone: %v", err)
	}
}

// TestBootstrapFromALayer: a custom runtime whose bootstrap a layer holds
// runs it from /opt, as Lambda does when the code has none (red team round
// 19); with none anywhere, the run says where it looked.
func TestBootstrapFromALayer(t *testing.T) {
	code, layer, empty := t.TempDir(), t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(code, "handler.sh"), []byte("echo\n"), 0o644)
	os.WriteFile(filepath.Join(layer, "bootstrap"), []byte("#!/bin/sh\n"), 0o755)
	rt, _ := ParseRuntime("provided.al2023")
	for _, sandboxed := range []bool{true, false} {
		c := Cache{Dir: t.TempDir(), Sandboxed: sandboxed}
		f, err := c.Prepare(context.Background(), rt, code, "", t.TempDir(), layer)
		if err != nil || filepath.Base(f.Bootstrap) != "bootstrap" || sandboxed && f.Bootstrap != "/opt/bootstrap" {
			t.Errorf("sandboxed %v: bootstrap %q, %v", sandboxed, f.Bootstrap, err)
		}
		if _, err := c.Prepare(context.Background(), rt, code, "", t.TempDir(), empty); err == nil || !strings.Contains(err.Error(), "or in a layer") {
			t.Errorf("sandboxed %v, no bootstrap anywhere: %v", sandboxed, err)
		}
	}
}

// TestVendored: a package at the code's root, as `pip install -t .` puts
// it, is the code's own, which Python finds before the runtime's; a module
// file or a directory without __init__.py is not (red team round 26: the
// run said Debian's boto3 stood in when the code brought its own).
func TestVendored(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files []string
		want  bool
	}{
		{"a package", []string{"boto3/__init__.py"}, true},
		{"none", []string{"app.py"}, false},
		{"a directory without __init__.py", []string{"boto3/session.py"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755)
				os.WriteFile(filepath.Join(dir, f), nil, 0o644)
			}
			if got := vendored(dir, "boto3"); got != tt.want {
				t.Errorf("vendored = %t, want %t", got, tt.want)
			}
		})
	}
}
