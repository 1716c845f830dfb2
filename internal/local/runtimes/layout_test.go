package runtimes

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// TestSandboxedLayout: in a sandbox the function is told Lambda's paths
// (/var/task, /opt, /var/runtime), each bound to what holds it here, and a
// run with layers no longer says they are elsewhere; on the host it is told
// the host's paths and says so.
func TestSandboxedLayout(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not on PATH")
	}
	code, layer := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(filepath.Join(layer, "layer.txt"), []byte("x"), 0o644)
	provided, _ := ParseRuntime("provided.al2023")
	python, _ := ParseRuntime("python3.11")
	for _, tt := range []struct {
		name      string
		rt        Runtime
		sandboxed bool
		boot      string
		env       []string
		mounts    []string // At of each mount, in order
		layerNote bool
	}{
		{"provided, sandboxed", provided, true, "/var/task/bootstrap", []string{"LAMBDA_TASK_ROOT=/var/task", "LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"}, []string{"/var/task", "/opt"}, false},
		{"provided, on the host", provided, false, filepath.Join(code, "bootstrap"), []string{"LAMBDA_TASK_ROOT=" + code}, nil, true},
		{"python, sandboxed", python, true, "/var/runtime/bootstrap",
			[]string{"LAMBDA_TASK_ROOT=/var/task", "PYTHONPATH=/opt/python/lib/python3.11/site-packages:/opt/python"}, []string{"/var/runtime", "/var/task", "/opt"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := Cache{Dir: t.TempDir(), Sandboxed: tt.sandboxed}
			f, err := c.Prepare(context.Background(), tt.rt, code, tt.rt.DefaultHandler(), dir, layer)
			if err != nil {
				t.Fatal(err)
			}
			if f.Bootstrap != tt.boot {
				t.Errorf("bootstrap %q, want %q", f.Bootstrap, tt.boot)
			}
			for _, e := range tt.env {
				if !slices.ContainsFunc(f.Env, func(s string) bool { return strings.HasPrefix(s, e) }) {
					t.Errorf("the environment lacks %s: %q", e, f.Env)
				}
			}
			var at []string
			for _, m := range f.Mounts {
				// The shared tools, and an interpreter's site-packages
				// covered, vary by machine.
				if m.At != m.Host && !strings.HasSuffix(m.At, "/site-packages") {
					at = append(at, m.At)
				}
				if _, err := os.Stat(m.Host); err != nil {
					t.Errorf("mount %+v: %v", m, err)
				}
			}
			if !slices.Equal(at, tt.mounts) {
				t.Errorf("mounts at %q, want %q", at, tt.mounts)
			}
			if note := strings.Contains(strings.Join(f.Differences, "\n"), "not /opt"); note != tt.layerNote {
				t.Errorf("says the layers are not in /opt: %v, want %v", note, tt.layerNote)
			}
			if tt.rt.Kind == Python && tt.sandboxed {
				b, _ := os.ReadFile(filepath.Join(dir, "runtime", "bootstrap"))
				if !strings.Contains(string(b), "cd '/var/task'") || !strings.Contains(string(b), "'"+sandbox.Runtime+"/python-runtime-api.py'") {
					t.Errorf("the start script does not name the sandbox's paths:\n%s", b)
				}
			}
		})
	}
}

// TestLinksOutOfTheCode: a sandbox shows the function its code alone, so a
// link that leads out of the code (a bootstrap linked to where it was
// built, a link to a home directory or to a checkout's .git/config) is
// refused, naming the link, its target and the fix, rather than followed
// into the sandbox; a link inside the code stays bound as it is.
func TestLinksOutOfTheCode(t *testing.T) {
	provided, _ := ParseRuntime("provided.al2023")
	outside := t.TempDir()
	built := filepath.Join(outside, "bootstrap")
	os.WriteFile(built, []byte("#!/bin/sh\necho built\n"), 0o755)
	os.MkdirAll(filepath.Join(outside, ".aws"), 0o755)
	os.WriteFile(filepath.Join(outside, ".aws", "credentials"), []byte("secret"), 0o600)
	boot := func(code string) { os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\n"), 0o755) }
	for _, tt := range []struct {
		name    string
		link    func(code string) error
		refused bool
	}{
		{"a bootstrap linked to where it was built", func(code string) error { return os.Symlink(built, filepath.Join(code, "bootstrap")) }, true},
		{"a link to a home directory", func(code string) error {
			boot(code)
			return os.Symlink(outside, filepath.Join(code, "homelink"))
		}, true},
		{"a relative link to a file out of the code", func(code string) error {
			boot(code)
			rel, _ := filepath.Rel(code, filepath.Join(outside, ".aws", "credentials"))
			return os.Symlink(rel, filepath.Join(code, "credlink"))
		}, true},
		{"a link inside the code", func(code string) error {
			os.WriteFile(filepath.Join(code, "real"), []byte("#!/bin/sh\n"), 0o755)
			return os.Symlink("real", filepath.Join(code, "bootstrap"))
		}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, dir := t.TempDir(), t.TempDir()
			if err := tt.link(code); err != nil {
				t.Fatal(err)
			}
			c := Cache{Dir: t.TempDir(), Sandboxed: true}
			f, err := c.Prepare(context.Background(), provided, code, "", dir)
			if tt.refused {
				if !errors.Is(err, codezip.ErrOutside) || !strings.Contains(err.Error(), outside) || !strings.Contains(err.Error(), "copy what it links to into the directory") {
					t.Fatalf("error %v, want %v naming the target %s and the fix", err, codezip.ErrOutside, outside)
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("the work directory holds %d entries after the refusal", len(entries))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(f.Mounts, func(m sandbox.Mount) bool { return m.At == sandbox.TaskRoot })
			if i < 0 || f.Mounts[i].Host != code {
				t.Fatalf("want the code bound at %s as it is: %+v", sandbox.TaskRoot, f.Mounts)
			}
		})
	}
}

// TestHideGit: a .git in the code or a layer, directory or file, is
// covered by an empty one in the sandbox, and the run says so; code
// without one is left as it is.
func TestHideGit(t *testing.T) {
	code, layer, plain, dir := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(code, ".git"), 0o755)
	os.WriteFile(filepath.Join(code, ".git", "config"), []byte("token"), 0o644)
	os.WriteFile(filepath.Join(layer, ".git"), []byte("gitdir: /elsewhere\n"), 0o644)
	f, err := hideGit(Function{Mounts: []sandbox.Mount{{Host: code, At: sandbox.TaskRoot}, {Host: layer, At: sandbox.Opt}, {Host: plain, At: sandbox.Runtime}}}, dir)
	if err != nil {
		t.Fatal(err)
	}
	covers := map[string]string{}
	for _, m := range f.Mounts[3:] {
		covers[m.At] = m.Host
	}
	for _, at := range []string{"/var/task/.git", "/opt/.git"} {
		host, ok := covers[at]
		if !ok {
			t.Errorf("%s is not covered: %v", at, f.Mounts)
			continue
		}
		if st, err := os.Stat(host); err != nil || (st.IsDir() && len(must(os.ReadDir(host))) > 0) || (!st.IsDir() && st.Size() > 0) {
			t.Errorf("%s is covered by %s, which is not empty", at, host)
		}
	}
	if len(f.Mounts) != 5 || len(f.Differences) != 2 {
		t.Errorf("got %d mounts and differences %q; want 5 and two", len(f.Mounts), f.Differences)
	}
}

func must[T any](v T, _ error) T { return v }

// TestSharePython: an interpreter installed in a home directory shows the
// sandbox itself, its standard library and libpython, and not the rest of
// the prefix (a .aws/credentials); its site-packages is covered empty.
func TestSharePython(t *testing.T) {
	prefix := t.TempDir()
	for _, f := range []string{"bin/python3.11", "lib/python3.11/os.py", "lib/libpython3.11.so.1.0", ".aws/credentials", "lib/python3.11/site-packages/yaml/__init__.py"} {
		os.MkdirAll(filepath.Dir(filepath.Join(prefix, f)), 0o755)
		os.WriteFile(filepath.Join(prefix, f), []byte("x"), 0o644)
	}
	l := &layout{sandboxed: true, dir: t.TempDir()}
	if err := sharePython(l, filepath.Join(prefix, "bin/python3.11"), prefix, "3.11.7"); err != nil {
		t.Fatal(err)
	}
	shown := map[string]string{}
	for _, m := range l.mounts {
		shown[m.At] = m.Host
		if m.At == prefix || sandbox.Under(filepath.Join(prefix, ".aws"), m.At) {
			t.Errorf("the sandbox sees %s, which holds the prefix's other files", m.At)
		}
	}
	for _, f := range []string{"bin/python3.11", "lib/python3.11", "lib/libpython3.11.so.1.0", "lib/python3.11/site-packages"} {
		if _, ok := shown[filepath.Join(prefix, f)]; !ok {
			t.Errorf("%s is not bound: %v", f, l.mounts)
		}
	}
	if h := shown[filepath.Join(prefix, "lib/python3.11/site-packages")]; h == filepath.Join(prefix, "lib/python3.11/site-packages") {
		t.Errorf("site-packages is shown as it is")
	}
	if err := sharePython(l, "/x/bin/python3.11", t.TempDir(), "3.11.7"); err == nil {
		t.Errorf("a prefix without a standard library was accepted")
	}
}
