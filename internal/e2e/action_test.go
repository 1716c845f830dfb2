//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// actionRun is what a run of the action's script left: its exit status, its
// log as GitHub shows it, the job summary and the step's outputs.
type actionRun struct {
	exit                 int
	log, summary, output string
}

// runAction runs the action's own step, .github/action/run.sh, as the
// composite action does, with a fake GitHub environment and these inputs,
// in this checkout as the workspace.
func runAction(t *testing.T, ctx context.Context, runner, dir string, inputs map[string]string) actionRun {
	t.Helper()
	return runActionIn(t, ctx, runner, dir, root(t), inputs)
}

// runActionIn is runAction in the workspace ws.
func runActionIn(t *testing.T, ctx context.Context, runner, dir, ws string, inputs map[string]string) actionRun {
	t.Helper()
	summary, output := filepath.Join(dir, "summary.md"), filepath.Join(dir, "output")
	env := append(os.Environ(), "AUTOCONFIRM_RUNNER="+runner, "GITHUB_ACTIONS=true", "CI=true",
		"GITHUB_STEP_SUMMARY="+summary, "GITHUB_OUTPUT="+output, "GITHUB_WORKSPACE="+ws,
		"INPUT_TARGET=local", "INPUT_REPORT_DIR="+filepath.Join(dir, "reports"), "PROFILE=", "TAGS=")
	for k, v := range inputs {
		env = append(env, k+"="+v)
	}
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root(t), ".github/action/run.sh"))
	cmd.Dir, cmd.Env = ws, env
	log, _ := cmd.CombinedOutput()
	md, _ := os.ReadFile(summary)
	o, _ := os.ReadFile(output)
	return actionRun{exit: cmd.ProcessState.ExitCode(), log: string(log), summary: string(md), output: string(o)}
}

// TestActionScript runs the action's step against the allow-list example:
// it writes the verdict table to the job summary, from this run's record
// only, and the status to the step's outputs, and exits with the runner's
// status; no input can start a workflow command of its own.
func TestActionScript(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	allowlist := map[string]string{"INPUT_RUNTIME": "python3.11", "INPUT_CODE": "examples/allowlist/function",
		"INPUT_FEATURES": "examples/allowlist/features", "INPUT_FIXTURES": "examples/allowlist/fixtures", "INPUT_ENV": "ADMIN_CREATE_USER=refuse\n"}
	// An earlier run's record, which would read as a pass.
	stale := `{"target":"pool","status":0,"profiles":["cognito"],"verdicts":[{"profile":"cognito","verdict":"pass","sent":1,"accepted":1}],"control":"accepted"}`
	inject := "\n::set-output name=x::y\n::add-mask::autoconfirm\n::stop-commands::zzz\n::set-output name=z::w\n##[set-output name=v;]u"
	// A GitHub-hosted runner whose AppArmor restricts user namespaces: the
	// script lifts it with sudo (a fake here, which logs), and the run says
	// "sandboxed".
	fake := t.TempDir()
	sudoLog, knob := filepath.Join(fake, "sudo.log"), filepath.Join(fake, "apparmor_restrict_unprivileged_userns")
	os.WriteFile(knob, []byte("1\n"), 0o644)
	os.WriteFile(filepath.Join(fake, "sudo"), []byte("#!/bin/sh\necho \"$*\" >> '"+sudoLog+"'\n"), 0o755)
	hosted := map[string]string{"RUNNER_ENVIRONMENT": "github-hosted", "AUTOCONFIRM_USERNS_SYSCTL": knob, "PATH": fake + ":" + os.Getenv("PATH")}
	for _, tt := range []struct {
		name    string
		inputs  map[string]string
		stale   bool
		exit    int
		summary []string
		not     []string
	}{
		{"what it claims passes", map[string]string{"INPUT_PROFILE": "cognito,alias-safe,allow-list"}, false, 0,
			[]string{"### autoconfirm conformance: ✅ PASS", "| `allow-list` | ✅ pass | ✅ pass | **✅ pass** |", "Control sign-up"}, nil},
		{"on a GitHub-hosted runner, the handler runs sandboxed", withInputs(hosted, "INPUT_PROFILE", "cognito"), false, 0,
			[]string{"### autoconfirm conformance: ✅ PASS", "**Handler:** sandboxed (bubblewrap"}, nil},
		{"confirm, which it does not keep, fails", map[string]string{"INPUT_PROFILE": "cognito,confirm,alias-safe,allow-list"}, false, 1,
			[]string{"### autoconfirm conformance: ❌ FAIL", "| `confirm` |", "failed scenario(s)"}, []string{"PASS"}},
		{"code that does not exist is a setup error", map[string]string{"INPUT_CODE": "examples/no-such-function"}, false, 2,
			[]string{"setup error (exit 2)", "says what to fix"}, nil},
		{"a setup error after an earlier pass shows no verdict", map[string]string{"INPUT_RUNTIME": "java21"}, true, 2,
			[]string{"setup error (exit 2)", "no report: the run exited 2 before writing one"}, []string{"PASS", "| `cognito` |"}},
		{"a newline in an input starts no command", map[string]string{"INPUT_RUNTIME": "java21", "INPUT_HANDLER": "index.handler" + inject}, false, 2,
			[]string{"setup error (exit 2)"}, nil},
		{"a newline in the target starts no command", map[string]string{"INPUT_TARGET": "lambda" + inject}, false, 2,
			[]string{"setup error (exit 2)"}, nil},
		// The build runs before the handler is hosted, its output with
		// commands stopped; its failure is a setup error.
		{"a build that fails is a setup error", map[string]string{"INPUT_BUILD": "echo '::set-output name=b::c'\nexit 3"}, false, 2,
			[]string{"setup error (exit 2)"}, []string{"PASS"}},
		// A template instead of runtime and code: its function named, and
		// a parameter given.
		{"a template's function", withInputs(noAllowlist, "INPUT_TEMPLATE", "testdata/templates/python/template.yaml", "INPUT_FUNCTION", "PreSignUp",
			"INPUT_PARAMETER_OVERRIDES", "Stage=dev PythonRuntime=python3.11"), false, 0,
			[]string{"### autoconfirm conformance: ✅ PASS", "| `alias-safe` |"}, nil},
		{"a template of two functions, none named", withInputs(noAllowlist, "INPUT_TEMPLATE", "testdata/templates/python/template.yaml"), false, 2,
			[]string{"setup error (exit 2)"}, []string{"PASS"}},
		{"neither a template nor code", withInputs(noAllowlist, "INPUT_RUNTIME", "python3.11"), false, 2,
			[]string{"setup error (exit 2)"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.stale {
				os.MkdirAll(filepath.Join(dir, "reports"), 0o755)
				os.WriteFile(filepath.Join(dir, "reports", "run.json"), []byte(stale), 0o644)
			}
			inputs := map[string]string{}
			for k, v := range allowlist {
				inputs[k] = v
			}
			for k, v := range tt.inputs {
				inputs[k] = v
			}
			got := runAction(t, ctx, runner, dir, inputs)
			if got.exit != tt.exit {
				t.Fatalf("exit %d, want %d:\n%s", got.exit, tt.exit, got.log)
			}
			for _, w := range tt.summary {
				if !strings.Contains(got.summary, w) {
					t.Errorf("the summary lacks %q:\n%s", w, got.summary)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got.summary, w) {
					t.Errorf("the summary says %q:\n%s", w, got.summary)
				}
			}
			checkOutputs(t, got)
			sudo, _ := os.ReadFile(sudoLog)
			os.Remove(sudoLog)
			lifted := strings.Contains(string(sudo), "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0")
			if lifted != (tt.inputs["RUNNER_ENVIRONMENT"] == "github-hosted") {
				t.Errorf("sudo ran %q on a runner %q", sudo, tt.inputs["RUNNER_ENVIRONMENT"])
			}
		})
	}
	t.Run("diff-base", func(t *testing.T) { testActionDiff(t, ctx, runner) })
}

// noAllowlist empties the allow-list example's inputs.
var noAllowlist = map[string]string{"INPUT_RUNTIME": "", "INPUT_CODE": "", "INPUT_FEATURES": "", "INPUT_FIXTURES": "", "INPUT_ENV": ""}

// checkOutputs fails unless the step's outputs hold only its status, and
// GitHub would act on no workflow command in its log but the script's own.
func checkOutputs(t *testing.T, got actionRun) {
	t.Helper()
	if want := "status=" + string(rune('0'+got.exit)) + "\n"; got.output != want {
		t.Errorf("the step's outputs are %q, want %q", got.output, want)
	}
	cmds, stopped := workflowCommands(got.log)
	own := regexp.MustCompile(`^(::stop-commands::[0-9a-f]{32}|::[0-9a-f]{32}::|::error title=autoconfirm::[^\r\n]*)$`)
	for _, c := range cmds {
		if !own.MatchString(c) {
			t.Errorf("GitHub would act on %q in the log:\n%s", c, got.log)
		}
	}
	if stopped {
		t.Errorf("the step ends with workflow commands stopped, so the job's later steps would lose theirs:\n%s", got.log)
	}
}

// registered are the workflow commands of GitHub's runner.
var registered = map[string]bool{"add-mask": true, "add-matcher": true, "add-path": true, "debug": true, "echo": true, "endgroup": true, "error": true,
	"group": true, "notice": true, "remove-matcher": true, "save-state": true, "set-env": true, "set-output": true, "stop-commands": true, "warning": true}

// workflowCommands returns the lines of a step's log that GitHub's runner
// would act on, as it parses them (actions/runner, ActionCommand.cs and
// ActionCommandManager.cs): ::NAME ...::DATA once leading space is trimmed,
// or ##[NAME ...]DATA anywhere in a line; while stop-commands holds, only
// its token, which resumes them. It also says whether they are stopped at
// the end.
func workflowCommands(log string) ([]string, bool) {
	var out []string
	token := ""
	for _, line := range strings.Split(strings.ReplaceAll(log, "\r\n", "\n"), "\n") {
		name, data, ok := parseCommand(line, token)
		if !ok {
			continue
		}
		switch {
		case token != "":
			if strings.EqualFold(name, token) {
				out, token = append(out, strings.TrimSpace(line)), ""
			}
		case name == "stop-commands":
			out, token = append(out, strings.TrimSpace(line)), data
		default:
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out, token != ""
}

// parseCommand reads one line as the runner would; token is registered
// while commands are stopped.
func parseCommand(line, token string) (name, data string, ok bool) {
	known := func(n string) bool { return registered[n] || (token != "" && strings.EqualFold(n, token)) }
	if s := strings.TrimLeft(line, " \t"); strings.HasPrefix(s, "::") {
		if end := strings.Index(s[2:], "::"); end >= 0 {
			info := s[2 : 2+end]
			name, _, _ = strings.Cut(info, " ")
			if known(name) {
				return name, s[2+end+2:], true
			}
		}
	}
	if i := strings.Index(line, "##["); i >= 0 {
		if rb := strings.Index(line[i:], "]"); rb >= 0 {
			name, _, _ = strings.Cut(line[i+3:i+rb], " ")
			if known(name) {
				return name, line[i+rb+1:], true
			}
		}
	}
	return "", "", false
}

// TestActionScriptHostileHandler: a handler whose refusal text, and a
// feature whose scenario name, hold workflow commands, HTML, mentions and
// links get no command run in the log and no markup in the job summary.
func TestActionScriptHostileHandler(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	dir := t.TempDir()
	fn, features := filepath.Join(dir, "function"), filepath.Join(dir, "features")
	os.MkdirAll(fn, 0o755)
	os.MkdirAll(features, 0o755)
	refusal := `no\n::set-output name=x::y\n::add-mask::autoconfirm\n::stop-commands::zzz\n##[set-output name=v;]u\n<img src=x onerror=alert(1)> @org/team [x](http://evil) | cell`
	os.WriteFile(filepath.Join(fn, "lambda_function.py"), []byte("def lambda_handler(event, context):\n    raise Exception(\""+refusal+"\")\n"), 0o644)
	os.WriteFile(filepath.Join(features, "hostile.feature"), []byte(`@hostile
Feature: hostile names
  Scenario: <img src=x onerror=alert(1)> @org/team [x](http://evil) | cell ::set-output name=s::t
    Given a new user signs up with the event "email-only"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
`), 0o644)
	got := runAction(t, ctx, runner, filepath.Join(dir, "run"), map[string]string{"INPUT_RUNTIME": "python3.11", "INPUT_CODE": fn,
		"INPUT_FEATURES": features, "INPUT_PROFILE": "hostile"})
	if got.exit != 1 {
		t.Fatalf("exit %d, want 1:\n%s", got.exit, got.log)
	}
	if !strings.Contains(got.log, "::set-output name=x::y") {
		t.Fatalf("the log does not show the refusal, so this test checks nothing:\n%s", got.log)
	}
	checkOutputs(t, got)
	for _, bad := range []string{`(^|[^\\])<img`, `@org`, `(^|[^\\])\]\(http`, `(?m)^\s*::`} {
		if m := regexp.MustCompile(bad).FindString(got.summary); m != "" {
			t.Errorf("the summary holds %q:\n%s", m, got.summary)
		}
	}
	for _, want := range []string{"### autoconfirm conformance: ❌ FAIL", `\<img src=x onerror=alert\(1\)\>`, "@\u200dorg/team", `\[x\]\(http:`} {
		if !strings.Contains(got.summary, want) {
			t.Errorf("the summary lacks %q:\n%s", want, got.summary)
		}
	}
}

// withInputs is m with more keys, given as key, value pairs.
func withInputs(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for key, val := range m {
		out[key] = val
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
