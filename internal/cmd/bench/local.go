package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/runtimes"
)

// localCase is one handler that `local` hosts, in one runtime.
type localCase struct {
	name, runtime, code, handler string
}

// localRuns times `autoconfirm-conformance local` per runtime: the first
// run on a fresh machine, with an empty cache (AUTOCONFIRM_CACHE, npm's
// cache in it), then a warm run on the cache it filled. Each runs the
// default claim's built-in scenarios at both depths, the stack's start and
// stop included, from a directory of its own, not this checkout, whose
// node_modules would hold cognito-local. The emulator is the checkout's:
// its one-time build is timed apart, with a cold Go build cache.
func localRuns(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "autoconfirm-bench-local-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	runner, cases, err := localCases(ctx, dir)
	if err != nil {
		return err
	}
	emulator, err := exec.CommandContext(ctx, "go", "tool", "-n", "aws-lambda-rie").Output()
	if err != nil {
		return fmt.Errorf("go tool -n aws-lambda-rie: %w", err)
	}
	fmt.Printf("\n## 6. First and warm `local` runs\n\n`autoconfirm-conformance local`: the default claim (cognito, auto-confirm, alias-safe) at pool and lambda depth, stack start and stop included. The first run of each case starts from an empty AUTOCONFIRM_CACHE (npm's cache included) and fetches what the runtime needs; the warm run follows on the cache it filled. The emulator's one-time build is timed apart, below.\n\n| handler | runtime | first run, empty cache | target | warm run | target |\n|---|---|---|---|---|---|\n")
	for i, c := range cases {
		cache := filepath.Join(dir, fmt.Sprintf("cache-%d", i))
		var took [2]time.Duration
		for run := range took {
			if took[run], err = timeLocal(ctx, runner, c, dir, cache, strings.TrimSpace(string(emulator))); err != nil {
				return err
			}
		}
		fmt.Printf("| %s | %s | %.1f s | ≤ 30 s %s | %.1f s | ≤ 4 s %s |\n", c.name, c.runtime,
			took[0].Seconds(), verdict(took[0] <= 30*time.Second), took[1].Seconds(), verdict(took[1] <= 4*time.Second))
	}
	build, err := emulatorBuild(ctx, dir)
	if err != nil {
		return err
	}
	fmt.Printf("\nThe emulator's one-time build (`go install %s/cmd/aws-lambda-rie@%s`, as `local` runs it into an empty cache outside a checkout), with a cold Go build cache and a warm module cache: %.1f s (about 40 s expected on 2 cores; reported apart from the first runs).\n",
		runtimes.RIEModule, runtimes.RIEVersion, build.Seconds())
	return nil
}

// localCases builds the runner and the Go handler, copies a vendored boto3,
// and returns the cases, with absolute paths to their code.
func localCases(ctx context.Context, dir string) (string, []localCase, error) {
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
			return "", nil, fmt.Errorf("%v: %v\n%s", s, err, out)
		}
	}
	files, _ := countFiles(vendored)
	here, err := os.Getwd()
	if err != nil {
		return "", nil, err
	}
	in := func(p string) string { return filepath.Join(here, p) }
	return runner, []localCase{
		{"Go, raw reference", "provided.al2023", ref, ""},
		{"Node.js, guarded with the runtime's SDK v3", "nodejs20.x", in("testdata/impls/guarded-node"), ""},
		{"Node.js, guarded with the runtime's SDK v3", "nodejs22.x", in("testdata/impls/guarded-node"), ""},
		{"Node.js, guarded with the runtime's SDK v3", "nodejs24.x", in("testdata/impls/guarded-node"), ""},
		{"TypeScript, bundled with esbuild", "nodejs22.x", in("testdata/impls/typescript-amplify"), "handler.handler"},
		{"Python, guarded with the runtime's boto3", "python3.11", in("testdata/impls/guarded-boto3"), ""},
		{fmt.Sprintf("Python, guarded with a vendored boto3 (%d files)", files), "python3.11", vendored, ""},
	}, nil
}

// timeLocal runs one case from a directory of its own with cache as
// AUTOCONFIRM_CACHE, and times it; it fails unless the handler passes.
func timeLocal(ctx context.Context, runner string, c localCase, dir, cache, emulator string) (time.Duration, error) {
	args := []string{"local", "--runtime", c.runtime, "--code", c.code, "--report-dir", filepath.Join(dir, "reports")}
	if c.handler != "" {
		args = append(args, "--handler", c.handler)
	}
	cmd := exec.CommandContext(ctx, runner, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AUTOCONFIRM_CACHE="+cache, "AWS_LAMBDA_RIE="+emulator)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%s on %s did not pass: %v\n%s", c.name, c.runtime, err, out)
	}
	return time.Since(start), nil
}

// emulatorBuild times the emulator's build as `local` runs it where no
// checkout provides one, with an empty Go build cache.
func emulatorBuild(ctx context.Context, dir string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, "go", "install", runtimes.RIEModule+"/cmd/aws-lambda-rie@"+runtimes.RIEVersion)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOBIN="+filepath.Join(dir, "rie-bin"), "GOCACHE="+filepath.Join(dir, "go-build-cache"), "CGO_ENABLED=0")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("building the emulator: %v\n%s", err, out)
	}
	return time.Since(start), nil
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
