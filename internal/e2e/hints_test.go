//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestFailuresSayHowToFix: an email-only Node.js handler without a guard,
// under the default claim, is told once which claim fits, instead of a
// failure per phone-number scenario, and its alias failures say how to fix
// them with a link to a Node.js example that exists in this repository; the
// run still fails (issue 25, point 4).
func TestFailuresSayHowToFix(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	runner := gobuild(t, ctx, dir, "cmd/autoconfirm-conformance", false)
	status, out := localRun(t, ctx, runner, filepath.Join(dir, "reports"), "--runtime", "nodejs20.x", "--code", "testdata/impls/emailonly-node")
	s := string(out)
	if status != 1 {
		t.Fatalf("exit %d, want 1:\n%s", status, s)
	}
	claim := "this handler never sets autoVerifyPhone"
	if n := strings.Count(s, claim); n != 1 || !strings.Contains(s, "claim --profile cognito,confirm,verify-email,alias-safe") {
		t.Errorf("%q said %d times, or without the claim that fits:\n%s", claim, n, s)
	}
	if strings.Contains(s, "expected autoVerifyPhone to be set") {
		t.Errorf("the phone-number failures are still listed one by one:\n%s", s)
	}
	fix := regexp.MustCompile(`(?m)^     fix:     look the email address up first .*; example \(Node\.js\): https://github\.com/autoconfirm/autoconfirm/blob/[^/\s]+/(\S+)$`).FindStringSubmatch(s)
	if fix == nil {
		t.Fatalf("no fix line for the alias failures with a Node.js example:\n%s", s)
	}
	if _, err := os.Stat(filepath.Join(root(t), fix[1])); err != nil || !strings.HasSuffix(fix[1], ".mjs") {
		t.Errorf("the fix links %s, which is not a Node.js handler in this repository: %v", fix[1], err)
	}
}
