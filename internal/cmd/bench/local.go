package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// localCase is one handler that `local` hosts, in one runtime.
type localCase struct {
	name, runtime, code, handler string
}

// warmLocal times `autoconfirm-conformance local` with a warm cache, per
// runtime: the default claim's built-in scenarios at both depths, the stack's
// start and stop included. Each case runs once to fill the cache, then once
// timed.
func warmLocal(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "autoconfirm-bench-local-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	runner := filepath.Join(dir, "autoconfirm-conformance")
	ref := filepath.Join(dir, "reference")
	vendored := filepath.Join(dir, "vendored-boto3")
	steps := [][]string{
		{"go", "build", "-o", runner, "./cmd/autoconfirm-conformance"},
		{"mkdir", "-p", ref},
		{"go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", filepath.Join(ref, "bootstrap"), "./testdata/impls/reference"},
		{"cp", "-R", "testdata/impls/guarded-boto3", vendored},
	}
	// A team's vendored boto3: real files, thousands of them, in the code.
	for _, p := range []string{"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py", "requests", "idna", "charset_normalizer", "certifi"} {
		if _, err := os.Stat(filepath.Join("/usr/lib/python3/dist-packages", p)); err == nil {
			steps = append(steps, []string{"cp", "-RL", filepath.Join("/usr/lib/python3/dist-packages", p), vendored})
		}
	}
	for _, s := range steps {
		cmd := exec.CommandContext(ctx, s[0], s[1:]...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%v: %v\n%s", s, err, out)
		}
	}
	files, _ := countFiles(vendored)
	cases := []localCase{
		{"Go, raw reference", "provided.al2023", ref, ""},
		{"Node.js, guarded with the runtime's SDK v3", "nodejs20.x", "testdata/impls/guarded-node", ""},
		{"Node.js, guarded with the runtime's SDK v3", "nodejs22.x", "testdata/impls/guarded-node", ""},
		{"Node.js, guarded with the runtime's SDK v3", "nodejs24.x", "testdata/impls/guarded-node", ""},
		{"TypeScript, bundled with esbuild", "nodejs22.x", "testdata/impls/typescript-amplify", "handler.handler"},
		{"Python, guarded with the runtime's boto3", "python3.11", "testdata/impls/guarded-boto3", ""},
		{fmt.Sprintf("Python, guarded with a vendored boto3 (%d files)", files), "python3.11", vendored, ""},
	}
	fmt.Printf("\n## 6. Warm `local` runs\n\n`autoconfirm-conformance local` with a warm cache: the default claim (cognito, auto-confirm, alias-safe) at pool and lambda depth, stack start and stop included. Each case ran once to fill the cache, then once timed.\n\n| handler | runtime | wall time | target |\n|---|---|---|---|\n")
	for _, c := range cases {
		args := []string{"local", "--runtime", c.runtime, "--code", c.code, "--report-dir", filepath.Join(dir, "reports")}
		if c.handler != "" {
			args = append(args, "--handler", c.handler)
		}
		if out, err := exec.CommandContext(ctx, runner, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s on %s did not pass: %v\n%s", c.name, c.runtime, err, out)
		}
		start := time.Now()
		if out, err := exec.CommandContext(ctx, runner, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s on %s did not pass: %v\n%s", c.name, c.runtime, err, out)
		}
		took := time.Since(start)
		fmt.Printf("| %s | %s | %.1f s | ≤ 8 s %s |\n", c.name, c.runtime, took.Seconds(), verdict(took <= 8*time.Second))
	}
	return nil
}

func countFiles(dir string) (int, error) {
	n := 0
	err := filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			n++
		}
		return err
	})
	return n, err
}
