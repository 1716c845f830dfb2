//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestActionScript runs the action's own step, .github/action/run.sh, as
// the composite action does, with a fake GitHub environment, against the
// allow-list example: it writes the verdict table to the job summary and
// the status to the step's outputs, and exits with the runner's status.
func TestActionScript(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	allowlist := map[string]string{"INPUT_RUNTIME": "python3.11", "INPUT_CODE": "examples/allowlist/function",
		"INPUT_FEATURES": "examples/allowlist/features", "INPUT_FIXTURES": "examples/allowlist/fixtures", "INPUT_ENV": "ADMIN_CREATE_USER=refuse\n"}
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
		exit    int
		summary []string
	}{
		{"what it claims passes", map[string]string{"INPUT_PROFILE": "cognito,alias-safe,allow-list"}, 0,
			[]string{"### autoconfirm conformance: ✅ PASS", "| `allow-list` | ✅ pass | ✅ pass | **✅ pass** |", "Control sign-up"}},
		{"on a GitHub-hosted runner, the handler runs sandboxed", withInputs(hosted, "INPUT_PROFILE", "cognito"), 0,
			[]string{"### autoconfirm conformance: ✅ PASS", "**Handler:** sandboxed (bubblewrap"}},
		{"confirm, which it does not keep, fails", map[string]string{"INPUT_PROFILE": "cognito,confirm,alias-safe,allow-list"}, 1,
			[]string{"### autoconfirm conformance: ❌ FAIL", "| `confirm` |", "failed scenario(s)"}},
		{"code that does not exist is a setup error", map[string]string{"INPUT_CODE": "examples/no-such-function"}, 2,
			[]string{"setup error (exit 2)", "says what to fix"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			summary, output := filepath.Join(dir, "summary.md"), filepath.Join(dir, "output")
			env := append(os.Environ(), "AUTOCONFIRM_RUNNER="+runner, "GITHUB_ACTIONS=true", "CI=true",
				"GITHUB_STEP_SUMMARY="+summary, "GITHUB_OUTPUT="+output, "GITHUB_WORKSPACE="+root(t),
				"INPUT_TARGET=local", "INPUT_REPORT_DIR="+filepath.Join(dir, "reports"), "PROFILE=", "TAGS=")
			for k, v := range allowlist {
				env = append(env, k+"="+v)
			}
			for k, v := range tt.inputs {
				env = append(env, k+"="+v)
			}
			cmd := exec.CommandContext(ctx, "bash", ".github/action/run.sh")
			cmd.Dir, cmd.Env = root(t), env
			out, _ := cmd.CombinedOutput()
			if got := cmd.ProcessState.ExitCode(); got != tt.exit {
				t.Fatalf("exit %d, want %d:\n%s", got, tt.exit, out)
			}
			md, _ := os.ReadFile(summary)
			for _, w := range tt.summary {
				if !strings.Contains(string(md), w) {
					t.Errorf("the summary lacks %q:\n%s", w, md)
				}
			}
			if o, _ := os.ReadFile(output); !strings.Contains(string(o), "status="+string(rune('0'+tt.exit))) {
				t.Errorf("the step's outputs are %q, want status=%d", o, tt.exit)
			}
			sudo, _ := os.ReadFile(sudoLog)
			os.Remove(sudoLog)
			lifted := strings.Contains(string(sudo), "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0")
			if lifted != (tt.inputs["RUNNER_ENVIRONMENT"] == "github-hosted") {
				t.Errorf("sudo ran %q on a runner %q", sudo, tt.inputs["RUNNER_ENVIRONMENT"])
			}
		})
	}
}

// withInputs is m with one more key.
func withInputs(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for key, val := range m {
		out[key] = val
	}
	return out
}
