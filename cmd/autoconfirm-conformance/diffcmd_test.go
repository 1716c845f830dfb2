package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/diff"
)

// TestDiffUsage: an --ignore of every kind checks nothing, so it is a
// usage error, refused before any handler is hosted.
func TestDiffUsage(t *testing.T) {
	for _, tt := range []struct {
		name, ignore string
		status       int
		errs         string
	}{
		{"every kind ignored", strings.Join(diff.Kinds, ","), conformance.ExitUsage, "would check nothing"},
		{"every kind ignored, with spaces and repeats", " outcome, refusal-text,failure,autoConfirmUser,autoVerifyEmail,autoVerifyPhone,outcome", conformance.ExitUsage, "would check nothing"},
		{"an unknown kind", "texts", conformance.ExitUsage, `"texts" is not a kind of difference`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			got := run(context.Background(), []string{"diff", "--ignore", tt.ignore, "local:provided.al2023:/nonexistent", "local:provided.al2023:/nonexistent"},
				func(string) string { return "" }, &out, &errs)
			if got != tt.status || !strings.Contains(errs.String(), tt.errs) || strings.Contains(out.String(), "alike") {
				t.Errorf("status %d (want %d)\nstdout: %.300s\nstderr: %.300s", got, tt.status, out.String(), errs.String())
			}
		})
	}
}

// TestReportOfDiffDir: report --markdown renders a diff's directory, its
// groups ranked; without --markdown, beside a run's directory, or with
// another diff's status it is a usage error.
func TestReportOfDiffDir(t *testing.T) {
	dir := t.TempDir()
	res := diff.Result{A: diff.Side{Name: "local:provided.al2023:./old"}, B: diff.Side{Name: "local:provided.al2023:./new"}, Cases: 5, Ignored: map[string]int{},
		Differences: []diff.Difference{
			{Kind: "autoVerifyEmail", Source: "PreSignUp_SignUp", Category: diff.BreaksProfile, Rank: 1, Takeover: true, Harm: "B verifies an email address another user holds verified", Count: 1, First: "generated #1"},
			{Kind: "autoVerifyPhone", Source: "PreSignUp_SignUp", Category: diff.TestOnly, Rank: 3, Harm: "Cognito never sends it", Count: 2, First: "<b>x</b>"},
		}}
	if err := res.Write(dir); err != nil {
		t.Fatal(err)
	}
	runDir := t.TempDir()
	os.WriteFile(filepath.Join(runDir, conformance.RunFile), []byte(`{"status":0}`), 0o644)
	md := filepath.Join(t.TempDir(), "summary.md")
	for _, tt := range []struct {
		name   string
		args   []string
		status int
		out    []string // in stdout, in this order
		errs   string
	}{
		{"Markdown to stdout", []string{"report", "--markdown", "-", dir}, 0, []string{"### autoconfirm diff: ❌ 2 difference(s)", "#### 1. ❌ Breaks a profile", "#### 3. Test-only", `\<b\>x\</b\>`}, ""},
		{"Markdown to a file, with the diff's status", []string{"report", "--markdown", md, "--expect-status", "1", dir}, 0, nil, ""},
		{"another diff's status", []string{"report", "--markdown", "-", "--expect-status", "0", dir}, 2, nil, "records exit status 1, not 0"},
		{"no --markdown", []string{"report", dir}, 2, nil, "give --markdown FILE"},
		{"a diff and a run", []string{"report", "--markdown", "-", dir, runDir}, 2, nil, "not both"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			got := run(context.Background(), tt.args, func(string) string { return "" }, &out, &errs)
			at := -1
			for _, w := range tt.out {
				i := strings.Index(out.String(), w)
				if i <= at {
					t.Errorf("%q not in order in:\n%s", w, out.String())
				}
				at = i
			}
			if got != tt.status || !strings.Contains(errs.String(), tt.errs) {
				t.Errorf("status %d (want %d)\nstdout: %.300s\nstderr: %.300s", got, tt.status, out.String(), errs.String())
			}
		})
	}
	if b, err := os.ReadFile(md); err != nil || !strings.Contains(string(b), "#### 1. ❌ Breaks a profile") {
		t.Errorf("%s: %v\n%s", md, err, b)
	}
}
