// Command gatecheck proves the conformance gate discriminates: it runs
// live-local against every implementation in testdata/impls, expects the
// independent reference to pass and every deliberately broken one to fail,
// and prints how many broken ones the suite caught.
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// correct lists the implementations that must pass; all others must fail.
var correct = map[string]bool{"reference": true}

var summary = regexp.MustCompile(`(?m)^\d+ scenarios \(.*\)$`)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gate-check: FAIL:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	dirs, err := filepath.Glob("testdata/impls/*")
	if err != nil || len(dirs) == 0 {
		return fmt.Errorf("no implementations under testdata/impls: %v", err)
	}
	out, err := os.MkdirTemp("", "autoconfirm-gate-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)
	livelocal := filepath.Join(out, "livelocal")
	if err := gobuild(ctx, livelocal, "./internal/cmd/livelocal", false); err != nil {
		return err
	}
	caught, broken, problems := 0, 0, []string{}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		bin := filepath.Join(out, name)
		if err := gobuild(ctx, bin, "./"+dir, true); err != nil {
			return err
		}
		var buf bytes.Buffer
		cmd := exec.CommandContext(ctx, livelocal, "--bootstrap", bin)
		cmd.Stdout, cmd.Stderr = &buf, &buf
		err := cmd.Run()
		passed := err == nil
		verdict := "caught"
		switch {
		case correct[name] && passed:
			verdict = "passed, as it must"
		case correct[name]:
			verdict = "FAILED, but it is correct"
			problems = append(problems, name+" is correct but failed:\n"+buf.String())
		case passed:
			broken++
			verdict = "PASSED, but it is broken"
			problems = append(problems, name+" is broken but passed")
		default:
			broken++
			caught++
		}
		fmt.Printf("  %-12s %-26s pool: %s; lambda: %s\n", name, verdict, nth(buf.String(), 0), nth(buf.String(), 1))
	}
	fmt.Printf("gate-check: the suite caught %d of %d broken implementations and passed %d correct one(s)\n", caught, broken, len(correct))
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

func nth(out string, i int) string {
	m := summary.FindAllString(out, -1)
	if i < len(m) {
		return m[i]
	}
	return "no summary"
}

func gobuild(ctx context.Context, out, pkg string, lambda bool) error {
	args := []string{"build", "-o", out}
	if lambda {
		args = append(args, "-trimpath", "-tags", "lambda.norpc")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %v\n%s", pkg, err, b)
	}
	return nil
}
