// Command gatecheck proves the conformance gate discriminates: it runs
// live-local against the independent implementations in testdata/impls, the
// reference as it is and with each of its deliberate faults, expects the
// correct one to pass and every broken one to fail, and prints how many
// broken ones the suite caught.
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

// subject is one implementation under test: a binary, and the environment
// that selects its fault. The environment passes through live-local to it.
type subject struct {
	name, dir, fault string
	correct          bool
}

var subjects = []subject{
	{"reference", "testdata/impls/reference", "", true},
	{"article", "testdata/impls/article", "", false},
	{"noguard", "testdata/impls/reference", "noguard", false},
	{"wrongsource", "testdata/impls/reference", "wrongsource", false},
	{"looseverify", "testdata/impls/reference", "looseverify", false},
	{"rewrite", "testdata/impls/reference", "rewrite", false},
}

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
	out, err := os.MkdirTemp("", "autoconfirm-gate-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)
	livelocal := filepath.Join(out, "livelocal")
	if err := gobuild(ctx, livelocal, "./internal/cmd/livelocal", false); err != nil {
		return err
	}
	built := map[string]string{}
	caught, broken, correct, problems := 0, 0, 0, []string{}
	for _, s := range subjects {
		bin, ok := built[s.dir]
		if !ok {
			bin = filepath.Join(out, filepath.Base(s.dir))
			if err := gobuild(ctx, bin, "./"+s.dir, true); err != nil {
				return err
			}
			built[s.dir] = bin
		}
		var buf bytes.Buffer
		cmd := exec.CommandContext(ctx, livelocal, "--bootstrap", bin, "--report-dir", filepath.Join(out, "reports", s.name))
		cmd.Env = append(os.Environ(), "REFERENCE_FAULT="+s.fault)
		cmd.Stdout, cmd.Stderr = &buf, &buf
		passed := cmd.Run() == nil
		verdict := "caught"
		switch {
		case s.correct && passed:
			correct++
			verdict = "passed, as it must"
		case s.correct:
			verdict = "FAILED, but it is correct"
			problems = append(problems, s.name+" is correct but failed:\n"+buf.String())
		case passed:
			broken++
			verdict = "PASSED, but it is broken"
			problems = append(problems, s.name+" is broken but passed")
		default:
			broken++
			caught++
		}
		fmt.Printf("  %-12s %-26s pool: %s; lambda: %s\n", s.name, verdict, nth(buf.String(), 1), nth(buf.String(), 2))
	}
	fmt.Printf("gate-check: the suite caught %d of %d broken implementations and passed %d of %d correct one(s)\n", caught, broken, correct, len(subjects)-broken)
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
