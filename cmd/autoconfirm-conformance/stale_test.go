package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStaleReportsCleared: every command removes the reports an earlier run
// left where it writes, before any check that can fail, so that a setup
// error never leaves an earlier verdict to be read as its own.
func TestStaleReportsCleared(t *testing.T) {
	for _, tt := range []struct {
		name  string
		args  func(dir string) []string
		stale []string // under dir
	}{
		{"a run with a bad run id", func(dir string) []string { return []string{"--report-dir", dir, "--run-id", "ABC"} },
			[]string{"run.json", "junit.xml", "cucumber.json", "report.html"}},
		{"a run whose own features are missing", func(dir string) []string { return []string{"--report-dir", dir, "--features", "/nonexistent"} },
			[]string{"run.json", "report.html"}},
		{"local with an unknown runtime", func(dir string) []string {
			return []string{"local", "--report-dir", dir, "--runtime", "java21", "--code", "."}
		}, []string{"run.json", "report.html", "pool/run.json", "lambda/run.json", "lambda/cucumber.json"}},
		{"local with a bad --env", func(dir string) []string {
			return []string{"local", "--report-dir", dir, "--runtime", "provided.al2023", "--code", ".", "--env", "NOEQUALS"}
		}, []string{"run.json", "pool/run.json"}},
		{"diff with one side", func(dir string) []string { return []string{"diff", "--report-dir", dir, "local:provided.al2023:."} },
			[]string{"diff.json", "diff.txt", "diff.html"}},
		{"report of a directory that is not one", func(dir string) []string {
			return []string{"report", "--out", filepath.Join(dir, "all.html"), "--markdown", filepath.Join(dir, "summary.md"), "/nonexistent"}
		}, []string{"all.html", "summary.md"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.stale {
				os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
				os.WriteFile(filepath.Join(dir, f), []byte(`{"target":"stale","status":0}`), 0o644)
			}
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
			var out, errs bytes.Buffer
			if got := run(context.Background(), tt.args(dir), func(string) string { return "" }, &out, &errs); got != 2 {
				t.Fatalf("status %d, want 2\n%s%s", got, out.String(), errs.String())
			}
			for _, f := range tt.stale {
				if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
					t.Errorf("an earlier run's %s is still there", f)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
				t.Errorf("a file no run writes was removed: %v", err)
			}
		})
	}
}

// TestReportFailsWhenItCannotWrite: a report that cannot be written, or a
// record that is not this run's, is a setup error that names the file.
func TestReportFailsWhenItCannotWrite(t *testing.T) {
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if got := run(context.Background(), []string{"--tags", "@sources", "--report-dir", dir}, func(string) string { return "" }, &out, &errs); got != 0 {
		t.Fatalf("the run behind the reports: status %d\n%s", got, errs.String())
	}
	for _, tt := range []struct {
		name string
		args []string
		errs string
	}{
		{"cucumber to a full disk", []string{"--tags", "@sources", "--format", "progress,cucumber:/dev/full"}, "/dev/full"},
		{"junit to a directory that does not exist", []string{"--tags", "@sources", "--format", "progress,junit:/nonexistent/j.xml"}, "/nonexistent/j.xml"},
		{"the page to a full disk", []string{"report", "--out", "/dev/full", dir}, "/dev/full"},
		{"Markdown to a full disk", []string{"report", "--markdown", "/dev/full", dir}, "/dev/full"},
		{"a record of another status", []string{"report", "--markdown", "-", "--expect-status", "2", dir}, "records exit status 0, not 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			if got := run(context.Background(), tt.args, func(string) string { return "" }, &out, &errs); got != 2 || !strings.Contains(errs.String(), tt.errs) {
				t.Errorf("status %d, want 2 naming %q; stderr:\n%s", got, tt.errs, errs.String())
			}
		})
	}
	out.Reset()
	if got := run(context.Background(), []string{"report", "--markdown", "-", "--expect-status", "0", dir}, func(string) string { return "" }, &out, &errs); got != 0 || !strings.Contains(out.String(), "✅ PASS") {
		t.Errorf("the run's own record: status %d\n%s", got, out.String())
	}
}
