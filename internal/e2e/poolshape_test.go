//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPoolShape runs `local` on handlers written for their own pool's
// shape: the pool takes the template's (or the flags') shape, and the
// scenarios whose sign-up that pool refuses before its trigger runs are not
// applicable, at pool and at lambda depth.
func TestPoolShape(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	phoneOnly := "Every sign-up is confirmed: a user who gives only a phone number"
	takeover := "Someone else has verified the email address"
	for _, tt := range []struct {
		name string
		args []string
		exit int
		want []string
		// na names a scenario run.json must list as not applicable.
		na string
	}{
		{"a pool that requires email: phone-only sign-ups left out", []string{"--template", "testdata/templates/requires-email/template.yaml", "--profile", "cognito,confirm,verify-email"},
			0, []string{"required email", "NOT APPLICABLE TO THIS POOL", "local: PASS"}, phoneOnly},
		{"the same handler in the default pool", []string{"--runtime", "nodejs22.x", "--code", "testdata/impls/requires-email-node", "--profile", "cognito,confirm,verify-email"},
			1, []string{phoneOnly, "local: FAIL"}, ""},
		{"a pool with email as username: alias takeovers left out", []string{"--template", "testdata/templates/email-username/template.yaml"},
			0, []string{"usernames email; aliases none", "not applicable", "local: PASS"}, takeover},
		{"the same handler in the default pool", []string{"--runtime", "nodejs22.x", "--code", "testdata/impls/keypresence-node", "--profile", "alias-safe"},
			1, []string{takeover, "local: FAIL"}, ""},
		{"alias-safe claimed in a pool with email as username", []string{"--template", "testdata/templates/email-username/template.yaml", "--profile", "alias-safe"},
			2, []string{"alias-safe (", "claim nothing this pool can produce", "usernames email"}, ""},
		{"verify-phone claimed in a pool whose client writes no phone number", []string{"--runtime", "nodejs22.x", "--code", "testdata/impls/keypresence-node",
			"--write-attributes", "email,given_name", "--profile", "verify-phone"},
			2, []string{"verify-phone (", "claim nothing this pool can produce", "the app client writes email,given_name"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reports := t.TempDir()
			cmd := exec.CommandContext(ctx, runner, append([]string{"local", "--report-dir", reports}, tt.args...)...)
			cmd.Dir = root(t)
			cmd.Env = append(os.Environ(), "PROFILE=", "TAGS=")
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != tt.exit {
				t.Errorf("exit %d, want %d", code, tt.exit)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("the output lacks %q", w)
				}
			}
			if tt.na != "" {
				checkNotApplicable(t, reports, tt.na)
			}
			// A claim the pool cannot judge is refused before the stack
			// starts, not after a depth has run.
			if tt.exit == 2 && strings.Contains(string(out), "the pool is cognito-local") {
				t.Error("the claim was refused only after the local stack had started")
			}
			if t.Failed() {
				t.Logf("the run said:\n%s", out)
			}
		})
	}
}

// checkNotApplicable reads local's run.json and the HTML page: both name
// the pool's shape and the scenario left out.
func checkNotApplicable(t *testing.T, reports, scenario string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(reports, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Pool          string            `json:"pool"`
		NotApplicable map[string]string `json:"not_applicable"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	found := false
	for sc := range rec.NotApplicable {
		found = found || strings.HasPrefix(sc, scenario)
	}
	if rec.Pool == "" || !found {
		t.Errorf("run.json names the pool %q and leaves out %v, not %q", rec.Pool, rec.NotApplicable, scenario)
	}
	html, err := os.ReadFile(filepath.Join(reports, "report.html"))
	if err != nil || !strings.Contains(string(html), "not applicable to this pool") || !strings.Contains(string(html), "pool: ") {
		t.Errorf("report.html does not name the pool and what it left out (%v)", err)
	}
}
