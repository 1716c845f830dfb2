//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFirstNodeRunWithoutCompiler: on a machine with Go and npm but no C or
// C++ toolchain, the first Node.js run, with an empty cache, fetches what it
// needs and judges the handler; then, without bubblewrap, the run says it is
// not sandboxed and still judges. The emulator is the checkout's, built
// apart: its one-time build is no part of what this checks.
func TestFirstNodeRunWithoutCompiler(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	rie := exec.CommandContext(ctx, "go", "tool", "-n", "aws-lambda-rie")
	rie.Dir = root(t)
	emulator, err := rie.Output()
	if err != nil {
		t.Fatalf("go tool -n aws-lambda-rie: %v", err)
	}
	cache := t.TempDir()
	code := filepath.Join(root(t), "testdata/impls/guarded-node")
	cases := []struct {
		name      string
		drop      []string
		sandboxed bool
	}{
		{"with an empty cache", nil, true},
		{"without bubblewrap", []string{"bwrap"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := withoutCompilers(t, c.drop...)
			cmd := exec.CommandContext(ctx, runner, "local", "--runtime", "nodejs22.x", "--code", code, "--report-dir", t.TempDir())
			cmd.Dir = t.TempDir() // not the checkout: a team's own directory
			cmd.Env = append(os.Environ(), "PATH="+path, "AUTOCONFIRM_CACHE="+cache, "AWS_LAMBDA_RIE="+strings.TrimSpace(string(emulator)),
				"TMPDIR="+privateTemp(t), "PROFILE=", "TAGS=", "CC=", "CXX=")
			out, _ := cmd.CombinedOutput()
			if got := cmd.ProcessState.ExitCode(); got != 0 {
				t.Errorf("exit %d, want 0: a correct handler passes", got)
			}
			if said := bytes.Contains(out, []byte("not sandboxed")); said == c.sandboxed {
				t.Errorf("the run said \"not sandboxed\": %v; want %v", said, !c.sandboxed)
			}
			if t.Failed() {
				t.Logf("the run said:\n%s", out)
			}
		})
	}
}

// compilers are the tools a native build of aws-lambda-ric ran, and the
// other C and C++ toolchains: a PATH without them is a machine without.
var compilers = regexp.MustCompile(`^(cc|c\+\+|cpp|gcc|g\+\+|clang|clang\+\+|tcc|ld|as|make|gmake|cmake|cmake3|autoconf|automake|autoreconf|libtool|libtoolize|node-gyp)$|gcc|g\+\+|clang|cmake`)

// withoutCompilers is a PATH of one directory holding links to what this
// machine's PATH finds, but no compiler, nor what drop names.
func withoutCompilers(t *testing.T, drop ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, from := range filepath.SplitList(os.Getenv("PATH")) {
		entries, _ := os.ReadDir(from)
		for _, e := range entries {
			name := e.Name()
			if compilers.MatchString(name) || slices.Contains(drop, name) {
				continue
			}
			p := filepath.Join(from, name)
			if real, err := filepath.EvalSymlinks(p); err == nil {
				p = real // npm finds its own files from where it really is
			}
			os.Symlink(p, filepath.Join(dir, name)) // the first on PATH wins, as in a lookup
		}
	}
	for _, tool := range []string{"node", "npm", "go"} {
		if _, err := os.Stat(filepath.Join(dir, tool)); err != nil {
			t.Fatalf("%s is not on PATH: this check runs where Go and npm are installed", tool)
		}
	}
	for _, tool := range []string{"cc", "gcc", "g++", "make", "cmake"} {
		if _, err := os.Lstat(filepath.Join(dir, tool)); err == nil {
			t.Fatalf("%s is on the PATH without compilers", tool)
		}
	}
	return dir
}
