//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// confirmAll and confirmNone are a Node.js handler before and after a pull
// request that stops confirming sign-ups.
const (
	confirmAll  = "export const handler = async (event) => {\n  event.response.autoConfirmUser = true;\n  return event;\n};\n"
	confirmNone = "export const handler = async (event) => {\n  event.response.autoConfirmUser = false;\n  return event;\n};\n"
)

// gitRun runs git in dir, as a test author.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@test.invalid",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@test.invalid", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// pullRequest makes a repository whose main holds a handler that confirms
// every sign-up, at fn/index.mjs and at src/handler.mjs, and whose branch
// feature changes fn/index.mjs only; it returns a checkout of feature as
// actions/checkout leaves one: one commit deep, main not fetched; or, if
// full, with all of history, as fetch-depth: 0 leaves it.
func pullRequest(t *testing.T, full bool) (workspace string) {
	t.Helper()
	dir := t.TempDir()
	up := filepath.Join(dir, "up")
	for f, body := range map[string]string{"fn/index.mjs": confirmAll, "src/handler.mjs": confirmAll} {
		os.MkdirAll(filepath.Dir(filepath.Join(up, f)), 0o755)
		if err := os.WriteFile(filepath.Join(up, f), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, up, "init", "-q", "-b", "main")
	gitRun(t, up, "add", ".")
	gitRun(t, up, "commit", "-q", "-m", "base")
	gitRun(t, up, "checkout", "-q", "-b", "feature")
	os.WriteFile(filepath.Join(up, "fn", "index.mjs"), []byte(confirmNone), 0o644)
	gitRun(t, up, "commit", "-q", "-am", "stop confirming")
	workspace = filepath.Join(dir, "ws")
	if full {
		gitRun(t, dir, "clone", "-q", "--branch", "feature", "file://"+up, workspace)
		return workspace
	}
	gitRun(t, dir, "clone", "-q", "--depth=1", "--branch", "feature", "file://"+up, workspace)
	if gitRun(t, workspace, "rev-list", "--count", "--all") != "1" {
		t.Fatal("the checkout holds more than its one commit, so this test would not show that the action fetches the base")
	}
	return workspace
}

// testActionDiff runs the action with diff-base in a pull request's
// checkout: it fetches the base, builds the code at both refs when told,
// diffs the handler there and here, writes the summary from this run's
// diff only, and refuses a provided runtime without a build and any ref
// that is not a plain ref, before git or the runner sees it.
func testActionDiff(t *testing.T, ctx context.Context, runner string) {
	ws, full := pullRequest(t, false), pullRequest(t, true)
	// The runner, through a wrapper that logs how the script calls it.
	calls := filepath.Join(t.TempDir(), "calls")
	wrapper := filepath.Join(t.TempDir(), "runner")
	os.WriteFile(wrapper, []byte("#!/bin/sh\nprintf '%s\\n' \"$*\" >> '"+calls+"'\nexec '"+runner+"' \"$@\"\n"), 0o755)
	builds := filepath.Join(t.TempDir(), "builds")
	build := "mkdir -p dist && cp src/handler.mjs dist/index.mjs && pwd >> '" + builds + "'\necho '::set-output name=build::x'"
	for _, tt := range []struct {
		name   string
		full   bool // in a checkout of all of history
		inputs map[string]string
		exit   int
		log    []string
	}{
		{"a Node.js handler that stopped confirming differs", false, map[string]string{"INPUT_RUNTIME": "nodejs22.x", "INPUT_CODE": "fn"}, 1,
			[]string{"git fetch --quiet --no-tags --depth=1 origin -- main"}},
		// A later step may need the history: a full checkout stays full.
		{"the same in a full checkout", true, map[string]string{"INPUT_RUNTIME": "nodejs22.x", "INPUT_CODE": "fn"}, 1,
			[]string{"git fetch --quiet --no-tags origin -- main"}},
		{"a build at both refs, of code that did not change", false, map[string]string{"INPUT_RUNTIME": "nodejs22.x", "INPUT_CODE": "dist", "INPUT_BUILD": build}, 0,
			[]string{"build (at main)", "build (in the pull request)"}},
		{"a provided runtime without a build", false, map[string]string{"INPUT_RUNTIME": "provided.al2023", "INPUT_CODE": "dist"}, 2,
			[]string{"a Go bootstrap is a build output, not in git", "needs the input build"}},
		{"a ref origin does not have", false, map[string]string{"INPUT_RUNTIME": "nodejs22.x", "INPUT_CODE": "fn", "INPUT_DIFF_BASE": "no-such-branch"}, 2,
			[]string{"diff-base no-such-branch could not be fetched from origin"}},
		{"with a template", false, map[string]string{"INPUT_TEMPLATE": "template.yaml"}, 2, []string{"diff reads no template"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, tmp := t.TempDir(), t.TempDir()
			os.Remove(calls)
			os.Remove(builds)
			inputs := map[string]string{"INPUT_DIFF_BASE": "main", "RUNNER_TEMP": tmp}
			for k, v := range tt.inputs {
				inputs[k] = v
			}
			ws := ws
			if tt.full {
				ws = full
			}
			got := runActionIn(t, ctx, wrapper, dir, ws, inputs)
			if got.exit != tt.exit {
				t.Fatalf("exit %d, want %d:\n%s", got.exit, tt.exit, got.log)
			}
			for _, w := range tt.log {
				if !strings.Contains(got.log, w) {
					t.Errorf("the log lacks %q:\n%s", w, got.log)
				}
			}
			checkOutputs(t, got)
			if left, _ := os.ReadDir(tmp); len(left) > 0 || strings.Count(gitRun(t, ws, "worktree", "list"), "\n") > 0 {
				t.Errorf("the base's tree stays: %v in RUNNER_TEMP, worktrees:\n%s", left, gitRun(t, ws, "worktree", "list"))
			}
			if shallow := gitRun(t, ws, "rev-parse", "--is-shallow-repository"); shallow != fmt.Sprint(!tt.full) {
				t.Errorf("the checkout's --is-shallow-repository is %s after the run, and was %v", shallow, !tt.full)
			}
			if tt.exit == 2 {
				if !strings.Contains(got.summary, "### autoconfirm diff: setup error (exit 2)") {
					t.Errorf("the summary is not a setup error's:\n%s", got.summary)
				}
				return
			}
			checkDiffSummary(t, runner, filepath.Join(dir, "reports"), calls, got)
			if b, _ := os.ReadFile(builds); tt.inputs["INPUT_BUILD"] != "" {
				dirs := strings.Fields(string(b))
				if len(dirs) != 2 || !strings.HasPrefix(dirs[0], tmp) || dirs[1] != ws {
					t.Errorf("the build ran in %q, want the base's tree under %s, then %s", dirs, tmp, ws)
				}
			}
		})
	}
	t.Run("a ref that is not a plain ref reaches neither git nor the runner", func(t *testing.T) {
		marker := filepath.Join(t.TempDir(), "pwned")
		for _, ref := range []string{"--upload-pack=touch " + marker, "--upload-pack=/bin/sh", "-q", "main;touch " + marker, "$(touch " + marker + ")",
			"main:refs/heads/x", "+main", "main~1", "main^", "main@{1}", "a..b", "main.lock", "refs/heads/../x", "main\n::set-output name=x::y", "main main"} {
			os.Remove(calls)
			got := runActionIn(t, ctx, wrapper, t.TempDir(), ws, map[string]string{"INPUT_DIFF_BASE": ref, "INPUT_RUNTIME": "nodejs22.x", "INPUT_CODE": "fn"})
			if got.exit != 2 || !strings.Contains(got.log, "is not a ref to fetch") {
				t.Errorf("diff-base %q: exit %d, want 2 and the ref refused:\n%s", ref, got.exit, got.log)
			}
			if strings.Contains(got.log, "git fetch") {
				t.Errorf("diff-base %q reached git fetch:\n%s", ref, got.log)
			}
			if b, err := os.ReadFile(calls); err == nil {
				t.Errorf("diff-base %q reached the runner: %s", ref, b)
			}
			checkOutputs(t, got)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Error("a hostile diff-base ran a command")
		}
	})
}

// checkDiffSummary fails unless the script asked report --markdown for the
// diff it ran, with its status, and the summary is what report renders of
// it, or, while report cannot render a diff, says only what the status
// says.
func checkDiffSummary(t *testing.T, runner, reports, calls string, got actionRun) {
	t.Helper()
	var d diffReport
	if b, err := os.ReadFile(filepath.Join(reports, "diff.json")); err != nil || json.Unmarshal(b, &d) != nil {
		t.Fatalf("no diff.json from this run (%v):\n%s", err, got.log)
	}
	if (len(d.Differences) > 0) != (got.exit == 1) {
		t.Errorf("exit %d with %d difference(s)", got.exit, len(d.Differences))
	}
	for _, x := range d.Differences {
		if x.Kind != "autoConfirmUser" {
			t.Errorf("a difference of kind %s; only autoConfirmUser changed", x.Kind)
		}
	}
	b, _ := os.ReadFile(calls)
	status := string(rune('0' + got.exit))
	if !strings.Contains(string(b), "--expect-status "+status+" "+reports+"\n") || !strings.Contains(string(b), "report --markdown ") {
		t.Errorf("the script did not ask report --markdown --expect-status %s for %s; it ran:\n%s", status, reports, b)
	}
	md, err := exec.Command(runner, "report", "--markdown", "-", "--expect-status", status, reports).Output()
	switch {
	case err == nil && !strings.Contains(got.summary, string(md)):
		t.Errorf("the summary is not what report --markdown renders of this diff:\n%s\nwant:\n%s", got.summary, md)
	case err != nil:
		want := map[int]string{0: "### autoconfirm diff: no difference (exit 0)", 1: "### autoconfirm diff: the handler decides differently at main and here (exit 1)"}[got.exit]
		if !strings.Contains(got.summary, want) || !strings.Contains(got.summary, "diff.txt in the artefact") {
			t.Errorf("report --markdown renders no diff yet (%v), and the summary does not say %q:\n%s", err, want, got.summary)
		}
	}
}
