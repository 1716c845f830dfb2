package runtimes

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm/internal/local/hostenv/envtest"
)

// TestToolsGetNoHostSecret starts each tool the runtimes start (the go
// command, the Python probe, npm, the fetched node and esbuild) as fakes
// first on PATH that record their environment, with host secrets in the
// test's environment: none reaches any of them, and what each needs (the
// user's npm and Go settings, npm's own HOME and cache) does.
func TestToolsGetNoHostSecret(t *testing.T) {
	ctx := context.Background()
	tools := envtest.Hostile(t)
	t.Setenv("AWS_LAMBDA_RIE", "")
	t.Setenv("npm_config_registry", "http://registry.invalid/")
	t.Setenv("GOFLAGS", "-mod=mod")
	fetched := t.TempDir() // what the fake npm "fetches"
	envtest.Write(t, filepath.Join(fetched, "node"), "node", tools.Log, "echo v22.0.0")
	envtest.Write(t, filepath.Join(fetched, "esbuild"), "esbuild", tools.Log, `for a; do case $a in --metafile=*) echo '{"inputs":{}}' > "${a#--metafile=}";; esac; done`)
	tools.Add(t, "npm", `if [ "$1" = ci ]; then
mkdir -p node_modules/`+nodePackage()+`/bin node_modules/esbuild/bin
cp '`+fetched+`/node' node_modules/`+nodePackage()+`/bin/node
cp '`+fetched+`/esbuild' node_modules/esbuild/bin/esbuild
fi`)
	tools.Add(t, "go", `case "$1" in tool) echo /fake/aws-lambda-rie;; install) mkdir -p "$GOBIN" && : > "$GOBIN/aws-lambda-rie";; esac`)
	tools.Add(t, "python3.12", "echo /usr/bin/python3.12; echo 3.12.0; echo /usr")
	checkout := t.TempDir()
	if err := os.WriteFile(filepath.Join(checkout, "go.mod"), []byte("module github.com/autoconfirm/autoconfirm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	task := t.TempDir()
	if err := os.WriteFile(filepath.Join(task, "index.ts"), []byte("export const handler = async (e: unknown) => e;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := Cache{Dir: t.TempDir()}
	starts := []struct {
		name string
		run  func() error
	}{
		{"go tool -n, in a checkout", func() error { _, err := c.RIE(ctx, os.Getenv, checkout); return err }},
		{"go install into the cache", func() error { _, err := c.RIE(ctx, os.Getenv, ""); return err }},
		{"the Python probe", func() error { _, _, _, err := pythonFor(ctx, Runtime{Minor: 12}); return err }},
		{"npm ci, then node --version", func() error { _, _, _, err := c.nodeBinary(ctx, 22, "node/node22"); return err }},
		{"npm ci, then esbuild", func() error {
			_, err := c.bundleTypeScript(ctx, c.layout(t.TempDir()), task, task, "index.handler", 22)
			return err
		}},
		{"npm install of the SDK", func() error {
			_, err := c.sdkModules(ctx, task, t.TempDir(), []string{"@aws-sdk/client-s3"}, t.TempDir())
			return err
		}},
	}
	for _, s := range starts {
		if err := s.run(); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
	}
	ran := tools.Check(t)
	for tool, n := range map[string]int{"go": 2, "python3.12": 1, "npm": 3, "node": 1, "esbuild": 1} {
		if len(ran[tool]) != n {
			t.Errorf("%s ran %d times, want %d: a starter did not start it", tool, len(ran[tool]), n)
		}
	}
	for _, env := range ran["npm"] {
		for _, want := range []string{"npm_config_registry=http://registry.invalid/", "HOME=" + filepath.Join(c.Dir, "npm-home"), "npm_config_cache=" + filepath.Join(c.Dir, "npm-cache")} {
			if !strings.Contains(env, want+"\n") {
				t.Errorf("npm did not get %s", want)
			}
		}
	}
	for _, env := range ran["go"] {
		if !strings.Contains(env, "GOFLAGS=-mod=mod\n") {
			t.Error("go did not get the user's GOFLAGS")
		}
	}
}
