//go:build e2e

package e2e

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestLocalTemplate runs `local --template` as a SAM user would: the
// project's own template.yaml, whose function is arm64 unless told
// otherwise, a Node.js template with Globals and a variable that needs a
// deployment, and a Python template with two functions.
func TestLocalTemplate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	runner := gobuild(t, ctx, dir, "cmd/autoconfirm-conformance", false)
	// The project's template beside a build, as make package ARCH=amd64
	// leaves it: dist/autoconfirm.zip for this machine.
	project := filepath.Join(dir, "project")
	os.MkdirAll(filepath.Join(project, "dist"), 0o755)
	b, err := os.ReadFile(filepath.Join(root(t), "template.yaml"))
	if err != nil || os.WriteFile(filepath.Join(project, "template.yaml"), b, 0o644) != nil {
		t.Fatal(err)
	}
	bin := gobuild(t, ctx, dir, "cmd/autoconfirm", true)
	zip := exec.CommandContext(ctx, "go", "run", "./internal/cmd/mkzip", filepath.Join(project, "dist", "autoconfirm.zip"), bin)
	zip.Dir = root(t)
	if out, err := zip.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	host := map[string]string{"amd64": "x86_64", "arm64": "arm64"}[goarch()]
	other := map[string]string{"x86_64": "arm64", "arm64": "x86_64"}[host]
	for _, tt := range []struct {
		name string
		args []string
		exit int
		want []string
	}{
		{"the project's template, for this machine", []string{"--template", filepath.Join(project, "template.yaml"), "--parameter-overrides", "Architecture=" + host},
			0, []string{"PreSignUpFunction from", "provided.al2023, handler bootstrap", "timeout 5s", "local: PASS"}},
		{"the project's template, for the other architecture", []string{"--template", filepath.Join(project, "template.yaml"), "--parameter-overrides", "Architecture=" + other},
			2, []string{"is built for " + other + ", and this machine is " + host}},
		{"a Node.js template, its pool id given", []string{"--template", "testdata/templates/node/template.yaml", "--env", "USER_POOL_ID=local"},
			0, []string{"nodejs22.x, handler index.handler", "timeout 4s", "local: PASS"}},
		// The template's own pool is the local one (TestPoolFromEnvironment);
		// any other resource needs a value.
		{"a Node.js template naming a table", []string{"--template", "testdata/templates/poolenv/other-resource.yaml"},
			2, []string{"INVITES_TABLE (!Ref Invites): give each with --env NAME=VALUE"}},
		{"a Python template with two functions", []string{"--template", "testdata/templates/python/template.yaml", "--function", "PreSignUp"},
			0, []string{"PreSignUp from", "python3.11", "local: PASS"}},
		{"a Python template with two functions, none named", []string{"--template", "testdata/templates/python/template.yaml"},
			2, []string{"name one with --function"}},
		{"a Node.js template whose handler needs its layer", []string{"--template", "testdata/templates/node-layer/template.yaml", "--profile", "cognito,confirm"},
			0, []string{"1 layer(s)", "sandboxed (bubblewrap", "local: PASS"}},
		{"the same handler without its layer", []string{"--runtime", "nodejs22.x", "--code", "testdata/templates/node-layer/function", "--profile", "cognito,confirm"},
			2, []string{"Runtime.ImportModuleError", "confirm-decision"}},
		{"the same handler with --layer", []string{"--runtime", "nodejs22.x", "--code", "testdata/templates/node-layer/function", "--layer", "testdata/templates/node-layer/layer", "--profile", "cognito,confirm"},
			0, []string{"local: PASS"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(ctx, runner, append([]string{"local", "--report-dir", t.TempDir()}, tt.args...)...)
			cmd.Dir = root(t)
			cmd.Env = append(os.Environ(), "PROFILE=", "TAGS=")
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != tt.exit {
				t.Errorf("exit %d, want %d", code, tt.exit)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("the output lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("the run said:\n%s", out)
			}
		})
	}
}

// TestPackageFollowsTemplate: make package builds the function for the
// architecture template.yaml gives it, or the one ARCH names, and mkzip
// refuses a binary for another.
func TestPackageFollowsTemplate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, tt := range []struct {
		args    []string
		machine elf.Machine
	}{
		{nil, elf.EM_AARCH64}, // template.yaml: Architecture defaults to arm64
		{[]string{"ARCH=amd64"}, elf.EM_X86_64},
	} {
		dist := t.TempDir()
		cmd := exec.CommandContext(ctx, "make", append([]string{"package", "DIST=" + dist}, tt.args...)...)
		cmd.Dir = root(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make package %v: %v\n%s", tt.args, err, out)
		}
		f, err := elf.Open(filepath.Join(dist, "lambda", "bootstrap"))
		if err != nil {
			t.Fatal(err)
		}
		if f.Machine != tt.machine {
			t.Errorf("make package %v built for %s, want %s", tt.args, f.Machine, tt.machine)
		}
		f.Close()
		if _, err := os.Stat(filepath.Join(dist, "autoconfirm.zip")); err != nil {
			t.Error(err)
		}
	}
	// A bootstrap for this machine, zipped for the other architecture.
	bin := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm", true)
	other := map[string]string{"amd64": "arm64", "arm64": "amd64"}[goarch()]
	cmd := exec.CommandContext(ctx, "go", "run", "./internal/cmd/mkzip", "-arch", other, filepath.Join(t.TempDir(), "f.zip"), bin)
	cmd.Dir = root(t)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "exec format error") {
		t.Errorf("mkzip -arch %s of a %s binary: %v\n%s", other, goarch(), err, out)
	}
}

func goarch() string { return runtime.GOARCH }
