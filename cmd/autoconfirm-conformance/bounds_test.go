package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBoundedInputs: counts beyond their stated maximum, and report
// directories whose depths lead back to themselves, are refused as usage
// errors at once, before anything is allocated or read again.
func TestBoundedInputs(t *testing.T) {
	dir := t.TempDir()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where a refused run must leave nothing
	report := func(name, depths string) string {
		d := filepath.Join(dir, name)
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "run.json"), []byte(`{"target":"local","depths":`+depths+`}`), 0o644)
		return d
	}
	self := report("self", `["."]`)
	up := report("up/inner", `[".."]`)
	linked := report("linked", `["back"]`)
	os.Symlink("../linked", filepath.Join(linked, "back"))
	ancestor := report("anc/a/b", `["top"]`)
	os.Symlink(filepath.Join(dir, "anc"), filepath.Join(ancestor, "top"))
	nested := report("nested", `["pool"]`)
	report("nested/pool", `["pool"]`)
	cyclic := filepath.Join(dir, "cyclic.yaml")
	os.WriteFile(cyclic, []byte("Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: .\n      Environment: {Variables: {X: !If [A, a, b]}}\n"), 0o644)
	bomb := filepath.Join(dir, "bomb.zip")
	writeBomb(t, bomb)
	bombTemplate := filepath.Join(dir, "bomb.yaml")
	os.WriteFile(bombTemplate, []byte("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: provided.al2023\n      Handler: bootstrap\n      CodeUri: bomb.zip\n"), 0o644)
	code := filepath.Join(dir, "code")
	os.MkdirAll(code, 0o755)
	os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\n"), 0o755)
	loop := filepath.Join(dir, "layer")
	os.MkdirAll(filepath.Join(loop, "lib"), 0o755)
	os.Symlink("..", filepath.Join(loop, "lib", "up"))
	pagemap := filepath.Join(dir, "pmlayer") // stat says 0 bytes; it reads without end
	os.MkdirAll(filepath.Join(pagemap, "nodejs"), 0o755)
	os.Symlink("/proc/self/pagemap", filepath.Join(pagemap, "nodejs", "pm"))
	linkOut := filepath.Join(dir, "outlayer") // a link to what the sandbox must not show
	os.MkdirAll(linkOut, 0o755)
	os.Symlink(t.TempDir(), filepath.Join(linkOut, "h"))
	sparse := func(path string, size int64) string { // no disk used
		os.MkdirAll(filepath.Dir(path), 0o755)
		f, _ := os.Create(path)
		f.Truncate(size)
		f.Close()
		return path
	}
	hugeTemplate := sparse(filepath.Join(dir, "huge.yaml"), 1<<20+1)
	hugeFixture := filepath.Dir(sparse(filepath.Join(dir, "fixtures", "big.json"), 6<<20+1))
	hugeFeature := filepath.Dir(sparse(filepath.Join(dir, "features", "big.feature"), 1<<20+1))
	hugeRecord := filepath.Dir(sparse(filepath.Join(dir, "hugerec", "run.json"), 16<<20+1))
	manyFixtures := filepath.Join(dir, "manyfx") // 1 001 small events
	os.MkdirAll(manyFixtures, 0o755)
	for i := range 1001 {
		os.WriteFile(filepath.Join(manyFixtures, fmt.Sprintf("f%04d.json", i)), []byte("{}"), 0o644)
	}
	heavyFixtures := filepath.Join(dir, "heavyfx") // 11 of 6 MiB, each under its limit, 66 MiB together
	for i := range 11 {
		sparse(filepath.Join(heavyFixtures, fmt.Sprintf("f%02d.json", i)), 6<<20)
	}
	manyFeatures := filepath.Join(dir, "manyfeat") // 201 small feature files
	os.MkdirAll(manyFeatures, 0o755)
	for i := range 201 {
		os.WriteFile(filepath.Join(manyFeatures, fmt.Sprintf("f%03d.feature", i)), []byte("Feature: f\n"), 0o644)
	}
	rows := filepath.Join(dir, "rows") // 5 001 Examples rows in two files, each well under 1 MiB
	os.MkdirAll(rows, 0o755)
	for i, n := range []int{2500, 2501} {
		outline := "Feature: rows\n  Scenario Outline: o\n    Given a <x>\n    Examples:\n      | x |\n" + strings.Repeat("      | 1 |\n", n-1)
		os.WriteFile(filepath.Join(rows, fmt.Sprintf("r%d.feature", i)), []byte(outline), 0o644)
	}
	plain := filepath.Join(dir, "plain") // 5 001 plain scenarios in two files
	os.MkdirAll(plain, 0o755)
	for i, n := range []int{2500, 2501} {
		os.WriteFile(filepath.Join(plain, fmt.Sprintf("s%d.feature", i)), []byte("Feature: plain\n"+strings.Repeat("  Scenario: s\n    Given a thing\n", n)), 0o644)
	}
	many := report("many", `["p"`+strings.Repeat(`,"p"`, 99_999)+`]`)
	report("many/p", `[]`)
	report("rel", `[]`) // the parent, a run of its own: only the parent rule refuses it
	report("rel/inner", `["up"]`)
	os.Symlink("..", filepath.Join(dir, "rel", "inner", "up"))
	tests := []struct {
		name string
		args []string
		errs string
		cwd  string // where it runs, for a relative directory
	}{
		{"diff --events 100000000", []string{"diff", "--events", "100000000", "local:provided.al2023:a", "local:provided.al2023:b"}, "--events must be from 0 to 100000", ""},
		{"diff --events beyond int64", []string{"diff", "--events", "9223372036854775807", "local:provided.al2023:a", "local:provided.al2023:b"}, "--events must be from 0 to 100000", ""},
		{"a template whose Conditions refer to each other", []string{"local", "--template", cyclic}, "in a cycle, A → B → A", ""},
		{"a CodeUri zip that holds 3 GB", []string{"local", "--template", bombTemplate}, "262144000 bytes", ""},
		{"a layer with a symlink to its own ancestor", []string{"local", "--runtime", "provided.al2023", "--code", code, "--layer", loop}, "symlink loop", ""},
		{"report of depths naming the directory itself", []string{"report", "--out", filepath.Join(dir, "o.html"), self}, `names the depth "."`, ""},
		{"the same, as Markdown", []string{"report", "--markdown", "-", self}, `names the depth "."`, ""},
		{"report of depths naming its parent", []string{"report", "--out", filepath.Join(dir, "o.html"), up}, `names the depth ".."`, ""},
		{"report of a depth that links to itself", []string{"report", "--out", filepath.Join(dir, "o.html"), linked}, "itself or a directory above it", ""},
		{"report of a depth that links to an ancestor", []string{"report", "--out", filepath.Join(dir, "o.html"), ancestor}, "itself or a directory above it", ""},
		{"report of depths inside depths", []string{"report", "--out", filepath.Join(dir, "o.html"), nested}, "names depths again", ""},
		{"report of a relative directory whose depth links to its parent", []string{"report", "--out", filepath.Join(dir, "o.html"), filepath.Join("rel", "inner")}, "itself or a directory above it", dir},
		{"report of 100 000 depths", []string{"report", "--out", filepath.Join(dir, "o.html"), many}, "more than 16, this runner's limit", ""},
		{"report of a run.json over 16 MiB", []string{"report", "--out", filepath.Join(dir, "o.html"), hugeRecord}, "more than 16777216 bytes", ""},
		{"a template over CloudFormation's 1 MB", []string{"local", "--template", hugeTemplate}, "more than 1048576 bytes, the most CloudFormation takes", ""},
		{"a fixture over Lambda's 6 MB payload", []string{"--fixtures", hugeFixture}, "more than 6291456 bytes, Lambda's 6 MB limit", ""},
		{"a feature file over 1 MiB", []string{"--features", hugeFeature}, "more than 1048576 bytes, this runner's limit on a feature file", ""},
		{"1 001 fixtures", []string{"--fixtures", manyFixtures}, "more than 1000 .json files (at f1000.json), this runner's limit on a fixtures directory", ""},
		{"fixtures of 66 MiB together", []string{"--fixtures", heavyFixtures}, "more than 67108864 bytes of .json files together", ""},
		{"diff of 1 001 fixtures", []string{"diff", "--events", "0", "--fixtures", manyFixtures, "local:provided.al2023:a", "local:provided.al2023:b"}, "more than 1000 .json files", ""},
		{"diff of fixtures of 66 MiB together", []string{"diff", "--events", "0", "--fixtures", heavyFixtures, "local:provided.al2023:a", "local:provided.al2023:b"}, "more than 67108864 bytes", ""},
		{"201 feature files", []string{"--features", manyFeatures}, "more than 200 .feature files (at f200.feature), this runner's limit on a features directory", ""},
		{"5 001 Examples rows across feature files", []string{"--features", rows}, "more than 5000 scenarios and table rows", ""},
		{"5 001 plain scenarios across feature files", []string{"--features", plain}, "more than 5000 scenarios and table rows", ""},
		{"a layer linking /proc/self/pagemap", []string{"local", "--runtime", "provided.al2023", "--code", code, "--layer", pagemap}, "the kernel's files in /proc, /sys and /dev are refused", ""},
		{"a layer linking a home directory", []string{"local", "--runtime", "provided.al2023", "--code", code, "--layer", linkOut}, "copy what it links to into the directory", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cwd != "" {
				t.Chdir(tt.cwd)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var out, errs bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- run(ctx, tt.args, func(string) string { return "" }, &out, &errs) }()
			select {
			case got := <-done:
				if got != 2 || !strings.Contains(errs.String(), tt.errs) {
					t.Errorf("status %d, want 2 with %q; stderr:\n%s", got, tt.errs, errs.String())
				}
			case <-time.After(15 * time.Second):
				t.Fatal("still running after 15 s")
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "autoconfirm-*")); len(left) > 0 {
				t.Errorf("left behind: %v", left)
				for _, l := range left {
					os.RemoveAll(l)
				}
			}
		})
	}
}

// TestReportStopsOnSignals: report reading a run.json that never ends (a
// terminal's master side, which no one writes) stops on SIGTERM and on
// SIGINT with 130; a named pipe is refused before it is opened, as opening
// it waits for a writer past any signal (red team round 22).
func TestReportStopsOnSignals(t *testing.T) {
	if os.Getenv("AUTOCONFIRM_REPORT_CHILD") != "" {
		ctx, stop := interruptible()
		code := run(ctx, strings.Split(os.Getenv("AUTOCONFIRM_REPORT_CHILD"), "\n"), os.Getenv, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	fifo := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(fifo, "run.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	refused := exec.Command(os.Args[0], "-test.run=^TestReportStopsOnSignals$")
	refused.Env = append(os.Environ(), "AUTOCONFIRM_REPORT_CHILD=report\n--out\n"+filepath.Join(fifo, "o.html")+"\n"+fifo)
	refused.WaitDelay = 5 * time.Second
	if out, _ := refused.CombinedOutput(); refused.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "not a regular file") {
		t.Errorf("a named pipe as run.json: exit %d, want 2 naming it:\n%s", refused.ProcessState.ExitCode(), out)
	}
	dir := t.TempDir()
	if _, err := os.Stat("/dev/ptmx"); err != nil {
		t.Skipf("no /dev/ptmx here, which never ends: %v", err)
	}
	if err := os.Symlink("/dev/ptmx", filepath.Join(dir, "run.json")); err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestReportStopsOnSignals$")
			cmd.Env = append(os.Environ(), "AUTOCONFIRM_REPORT_CHILD=report\n--out\n"+filepath.Join(dir, "o.html")+"\n"+dir)
			var errs bytes.Buffer
			cmd.Stderr = &errs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond) // reading the pipe by now
			cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != 130 {
					t.Errorf("after %s: %v, want exit 130; stderr:\n%s", sig, err, errs.String())
				}
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 10 s after %s", sig)
			}
		})
	}
}

// writeBomb writes a zip of a few hundred bytes whose one file says it holds
// 3 GB: Extract must refuse it on what the zip says, before reading it.
func writeBomb(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	if _, err := zw.CreateRaw(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, UncompressedSize64: 3 << 30, CompressedSize64: 0}); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckEnv: a function's variables are refused as Lambda refuses them,
// and a NUL, which would split one value into other variables on the way
// to the runtime, is refused too (red team round 18).
func TestCheckEnv(t *testing.T) {
	for _, tt := range []struct {
		env  []string
		want string
	}{
		{[]string{"STAGE=dev", "LOG_LEVEL=info"}, ""},
		{[]string{"STAGE=dev\x00AWS_LAMBDA_FUNCTION_MEMORY_SIZE=10240"}, "NUL byte"},
		{[]string{"LAMBDA_TASK_ROOT=/tmp"}, "reserved"},
		{[]string{"1BAD=x"}, "a letter and then"},
		{[]string{"NOEQUALS"}, "is not KEY=VALUE"},
	} {
		err := checkEnv(tt.env)
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.env, err, tt.want)
		}
	}
}
