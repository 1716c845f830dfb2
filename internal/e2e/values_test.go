//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestValuesKeepShape: a handler that holds addresses to a length and to
// kinds of characters, judged on its own features and fixtures, passes
// them: the values that reach it keep their length and characters' kinds
// (red team round 24: a 64-character local part arrived as 73).
func TestValuesKeepShape(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	const dir = "testdata/impls/rfcemail-python/"
	cmd := exec.CommandContext(ctx, runner, "local", "--runtime", "python3.12", "--handler", "lambda_function.lambda_handler",
		"--code", dir+"fn", "--features", dir+"features", "--fixtures", dir+"fixtures", "--profile", "cognito,rfc-email",
		"--report-dir", t.TempDir())
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "PROFILE=", "TAGS=", "ALIAS_POLICY=", "ALIAS_LOOKUP=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(out.String(), "local: PASS") {
		t.Errorf("exit %d, want 0 and a pass; the run said:\n%s", code, out.String())
	}
}
