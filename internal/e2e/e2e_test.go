//go:build e2e

// Package e2e holds the end-to-end checks behind the make targets rie-check,
// gate-check and report-check. They build binaries and start processes, so
// they run only with the e2e build tag:
//
//	go test -tags e2e -run TestBootstrapUnderRIE ./internal/e2e
package e2e

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var bootstrapFlag = flag.String("bootstrap", "", "the Lambda binary to check (default: dist/bootstrap of this checkout)")

// root is the checkout, found from this package's directory.
func root(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// bootstrap is the binary under test.
func bootstrap(t *testing.T) string {
	t.Helper()
	b := *bootstrapFlag
	if b == "" {
		b = filepath.Join(root(t), "dist", "bootstrap")
	}
	if _, err := os.Stat(b); err != nil {
		t.Fatalf("%v: run make build, or pass -bootstrap", err)
	}
	abs, _ := filepath.Abs(b)
	return abs
}

// gobuild builds pkg (relative to the checkout) into dir and returns the
// binary's path; lambda builds it as a Lambda bootstrap.
func gobuild(t *testing.T, ctx context.Context, dir, pkg string, lambda bool) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	args := []string{"build", "-o", out}
	if lambda {
		args = append(args, "-trimpath", "-tags", "lambda.norpc")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./"+pkg)...)
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, err, b)
	}
	return out
}
