package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestExitStatus(t *testing.T) {
	env := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y",
		"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
	reports := t.TempDir() // outside the code, which local requires
	template := t.TempDir() + "/template.yaml"
	os.WriteFile(template, []byte("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"+
		"      Runtime: python3.12\n      Handler: h.h\n      CodeUri: .\n      Environment:\n        Variables:\n          A-B: x\n"), 0o644)
	tests := []struct {
		name   string
		args   []string
		status int
		out    string // in stdout
		errs   string // in stderr
	}{
		{"help", []string{"--help"}, 0, "Exit status:", ""},
		{"help of a subcommand", []string{"report", "--help"}, 0, "-out", ""},
		{"unknown flag", []string{"--bogus"}, 2, "", "flag provided but not defined: -bogus"},
		{"a stray argument", []string{"features/x.feature"}, 2, "", "unexpected argument"},
		{"report of a directory that is not one", []string{"report", "--out", "/dev/null", "/nonexistent"}, 2, "", "/nonexistent is not a report directory"},
		{"report without directories", []string{"report"}, 2, "", "report needs one or more report directories"},
		{"cleanup without a pool", []string{"cleanup"}, 2, "", "cleanup needs --pool-id"},
		{"cleanup of others' users", []string{"cleanup", "--pool-id", "p", "--prefix", "alice"}, 2, "", "refusing to delete users the harness did not create"},
		{"a bad run id", []string{"--run-id", "ABC"}, 2, "", "--run-id"},
		{"tags that select nothing", []string{"--tags", "@nosuchtag"}, 2, "", "selects no scenario"},
		{"lambda without a pool", []string{"--target", "lambda", "--function", "f"}, 2, "", "--target lambda needs --pool-id"},
		{"an unreachable pool", []string{"--target", "pool", "--pool-id", "p", "--client-id", "c"}, 2, "", "cannot reach the user pool p"},
		{"a passing run", []string{"--tags", "@sources"}, 0, "3 scenarios (3 passed)", ""},
		{"a profile", []string{"--tags", "@signup", "--profile", "auto-confirm"}, 0, "NOT CLAIMED: 14 scenario(s)", ""},
		{"a claimed profile the tags leave out", []string{"--tags", "~@alias-safe", "--profile", "cognito,alias-safe"}, 2, "", `the tag expression "~@alias-safe" selects no scenario of the claimed profile(s) alias-safe`},
		// The default claim is what the tags select (red team round 25).
		{"the default claim, narrowed by the tags", []string{"--tags", "@confirm"}, 0, `NOT CLAIMED: the tag expression "@confirm" selects scenarios of confirm only, so this run judges those, and not cognito,`, ""},
		{"a misspelt profile", []string{"--profile", "cognitto"}, 2, "", `no scenario belongs to the profile "cognitto"`},
		{"a profile list with a hole", []string{"--profile", "cognito,,alias-safe"}, 2, "", "is not a profile name"},
		{"the step phrases", []string{"steps"}, 0, `e.g. Then the answer is one Cognito accepts`, ""},
		{"the rules the messages cite", []string{"rules"}, 0, "## §7 Cognito validates formats before the trigger runs", ""},
		{"own features that are not there", []string{"--features", "/nonexistent"}, 2, "", "--features /nonexistent: no .feature file there"},
		{"own fixtures that are not there", []string{"--fixtures", "/nonexistent"}, 2, "", "--fixtures /nonexistent: not a directory"},
		{"own features and fixtures", []string{"--features", "../../examples/allowlist/features", "--fixtures", "../../examples/allowlist/fixtures", "--profile", "allow-list"}, 1, "own-features/allowlist.feature", ""},
		{"a failing run in the events format", []string{"--features", "../../examples/allowlist/features", "--fixtures", "../../examples/allowlist/fixtures", "--profile", "allow-list", "--format", "events"}, 1, `"status":"failed"`, ""},
		{"a passing run in the events format", []string{"--tags", "@sources", "--format", "events"}, 0, `"status":"passed"`, ""},
		{"local without a runtime", []string{"local", "--code", "."}, 2, "", "local needs --runtime and --code"},
		{"local with an unknown runtime", []string{"local", "--runtime", "java21", "--code", "."}, 2, "", "use Lambda's identifiers"},
		{"local with a bad --env", []string{"local", "--runtime", "provided.al2023", "--code", ".", "--env", "NOEQUALS"}, 2, "", "is not KEY=VALUE"},
		{"local with variables over Lambda's 4 KB", []string{"local", "--runtime", "provided.al2023", "--code", ".", "--env", "AA=" + strings.Repeat("x", 3000), "--env", "BB=" + strings.Repeat("y", 1200)}, 2, "", "take 4204 bytes together, past Lambda's 4 KB limit"},
		{"local with a variable given twice, the later counted", []string{"local", "--runtime", "provided.al2023", "--code", ".", "--env", "AA=" + strings.Repeat("x", 4200), "--env", "AA=short", "--report-dir", reports}, 2, "", "executable file named bootstrap"},
		{"local with a variable Lambda reserves", []string{"local", "--runtime", "provided.al2023", "--code", ".", "--env", "AWS_REGION=eu-west-1"}, 2, "", "AWS_REGION is one of Lambda's reserved variables"},
		{"local with a variable name Lambda refuses", []string{"local", "--runtime", "provided.al2023", "--code", ".", "--env", "A-B=1"}, 2, "", `"A-B": Lambda takes a variable's name as a letter`},
		{"a template's variable name Lambda refuses", []string{"local", "--template", template, "--report-dir", reports}, 2, "", `the function's variables (` + template + `'s Environment.Variables, and --env): "A-B": Lambda takes`},
		{"local with ephemeral storage Lambda does not take", []string{"local", "--runtime", "provided.al2023", "--code", ".", "--ephemeral-storage", "256"}, 2, "", "--ephemeral-storage 256: Lambda takes whole megabytes from 512 to 10240"},
		{"local with a misspelt placeholder", []string{"local", "--runtime", "provided.al2023", "--code", ".", "--env", "USER_POOL_ID=@pool_id"}, 2, "", "@pool_id is no placeholder"},
		{"local with an unknown placeholder", []string{"local", "--runtime", "provided.al2023", "--code", ".", "--env", "USER_POOL_ID=@pool-name"}, 2, "", "@pool-name is no placeholder; they are @pool-id, @pool-arn"},
		{"local with a timeout Lambda does not take", []string{"local", "--runtime", "provided.al2023", "--code", ".", "--timeout", "1500ms"}, 2, "", "Lambda takes whole seconds from 1s to 15m0s"},
		{"local with a timeout over Lambda's maximum", []string{"local", "--runtime", "provided.al2023", "--code", ".", "--timeout", "16m"}, 2, "", "Lambda takes whole seconds"},
		{"local without a bootstrap", []string{"local", "--runtime", "provided.al2023", "--code", ".", "--report-dir", reports}, 2, "", "executable file named bootstrap"},
		{"local with its reports inside the code", []string{"local", "--runtime", "provided.al2023", "--code", "."}, 2, "", "--report-dir reports/local is inside --code ."},
	}
	for k, v := range env {
		t.Setenv(k, v) // the SDK reads the process environment itself
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			got := run(context.Background(), tt.args, func(k string) string { return env[k] }, &out, &errs)
			if got != tt.status || !strings.Contains(out.String(), tt.out) || !strings.Contains(errs.String(), tt.errs) {
				t.Errorf("status %d (want %d)\nstdout: %.300s\nstderr: %.300s", got, tt.status, out.String(), errs.String())
			}
		})
	}
}

// TestInterruptedRunExits130: an in-process run stopped by a signal must not
// go on to pass.
func TestInterruptedRunExits130(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var out, errs bytes.Buffer
	// The fault scenarios wait out their budgets: the run lasts seconds.
	got := run(ctx, []string{"--tags", "@faults"}, func(string) string { return "" }, &out, &errs)
	if got != 130 || !strings.Contains(errs.String(), "interrupted") {
		t.Errorf("status %d, stderr %q", got, errs.String())
	}
	// The process exits once run returns, whatever godog still does.
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("an interrupted run left %s in its TMPDIR", left[0].Name())
	}
}

func TestVersionLine(t *testing.T) {
	for _, tt := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want []string
	}{
		{"a release", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-11-29T12:00:00Z"}, {Key: "vcs.modified", Value: "false"}}},
			true, []string{"autoconfirm-conformance v1.4.0 (revision abc123, 2026-11-29T12:00:00Z) go"}},
		{"a dirty tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}},
			true, []string{"(devel) (revision abc123, modified)"}},
		{"no build information", nil, false, []string{"(devel) (revision unknown)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := versionLine(tt.bi, tt.ok)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
		})
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--version"}, func(string) string { return "" }, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "autoconfirm-conformance ") {
		t.Errorf("--version: exit %d, %q", code, out.String())
	}
}

// TestSubcommandHelp: a subcommand's --help is about that subcommand, and
// exits 0.
func TestSubcommandHelp(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--help"}, "autoconfirm-conformance runs the autoconfirm sign-up scenarios"},
		{[]string{"diff", "--help"}, "autoconfirm-conformance diff [flags] A B"},
		{[]string{"local", "--help"}, "autoconfirm-conformance local: its flags"},
		{[]string{"report", "--help"}, "autoconfirm-conformance report: its flags"},
	} {
		var out bytes.Buffer
		code := run(context.Background(), tt.args, func(string) string { return "" }, &out, &out)
		if code != 0 || !strings.HasPrefix(out.String(), tt.want) {
			t.Errorf("%v: exit %d, output begins %.80q, want %q", tt.args, code, out.String(), tt.want)
		}
	}
}

// TestHelpRendersArgumentNames: every subcommand's --help names each flag's
// argument with one word: the flag package takes a usage string's first
// `backquoted` text as the argument's name, so a backquoted phrase would
// render as "-expect-code make package".
func TestHelpRendersArgumentNames(t *testing.T) {
	argName := regexp.MustCompile(`^(string|value|duration|int|int64|uint|uint64|float|[A-Z][A-Z0-9_]*)$`)
	for _, sub := range []string{"", "cleanup", "report", "steps", "rules", "local", "diff"} {
		args := []string{"--help"}
		if sub != "" {
			args = []string{sub, "--help"}
		}
		var out bytes.Buffer
		if code := run(context.Background(), args, func(string) string { return "" }, &out, &out); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, out.String())
		}
		flags := 0
		for _, line := range strings.Split(out.String(), "\n") {
			if !strings.HasPrefix(line, "  -") {
				continue
			}
			flags++
			f := strings.Fields(line)
			if len(f) > 2 || (len(f) == 2 && !argName.MatchString(f[1])) {
				t.Errorf("%v renders %q: the argument's name must be one word, a type or in capitals", args, line)
			}
		}
		if flags == 0 && sub != "steps" && sub != "rules" {
			t.Errorf("%v lists no flag:\n%s", args, out.String())
		}
	}
}

// TestUsageErrorPointsToItsHelp: a usage error names the --help of the
// subcommand that was run.
func TestUsageErrorPointsToItsHelp(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "see `autoconfirm-conformance --help`"},
		{[]string{"local", "--bogus"}, "see `autoconfirm-conformance local --help`"},
		{[]string{"diff", "--bogus"}, "see `autoconfirm-conformance diff --help`"},
		{[]string{"report", "--bogus"}, "see `autoconfirm-conformance report --help`"},
		{[]string{"cleanup"}, "see `autoconfirm-conformance cleanup --help`"},
	} {
		var out, errs bytes.Buffer
		code := run(context.Background(), tt.args, func(string) string { return "" }, &out, &errs)
		if code != 2 || !strings.Contains(errs.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, errs.String(), tt.want)
		}
	}
}
