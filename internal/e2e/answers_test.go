//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// localRun runs `local` on code with args and returns its exit status and
// output; reports is its report directory.
func localRun(t *testing.T, ctx context.Context, runner, reports string, args ...string) (int, []byte) {
	t.Helper()
	cmd := exec.CommandContext(ctx, runner, append([]string{"local", "--report-dir", reports}, args...)...)
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "PROFILE=", "TAGS=", "ALIAS_POLICY=", "ALIAS_LOOKUP=")
	out, _ := cmd.CombinedOutput()
	return cmd.ProcessState.ExitCode(), out
}

// TestUnreadableAnswers: an answer Cognito cannot read fails the sign-up at
// lambda depth as at pool depth, whatever flags it seems to hold, and the
// control counts it as not accepted (issue 23, point 6).
func TestUnreadableAnswers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	runner := gobuild(t, ctx, dir, "cmd/autoconfirm-conformance", false)
	code := filepath.Join(dir, "code")
	os.MkdirAll(code, 0o755)
	if err := os.Rename(gobuild(t, ctx, dir, "testdata/impls/answer-shape", true), filepath.Join(code, "bootstrap")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ shape, why string }{
		{"cutoff", "it is cut off after 37 bytes"},
		{"duplicate", `holds the member "response" twice`},
	} {
		t.Run(c.shape, func(t *testing.T) {
			reports := t.TempDir()
			status, out := localRun(t, ctx, runner, reports, "--runtime", "provided.al2023", "--code", code,
				"--profile", "confirm", "--env", "ANSWER_SHAPE="+c.shape)
			if status != 1 {
				t.Errorf("exit %d, want 1", status)
			}
			if !bytes.Contains(out, []byte(c.why)) {
				t.Errorf("the output does not say %q", c.why)
			}
			var rec struct {
				Verdicts []struct{ Profile, Verdict string }
				SignUps  [2]int
				Control  string
			}
			b, err := os.ReadFile(filepath.Join(reports, "lambda", "run.json"))
			if err != nil || json.Unmarshal(b, &rec) != nil {
				t.Fatalf("the lambda depth wrote no run.json: %v", err)
			}
			if len(rec.Verdicts) != 1 || rec.Verdicts[0].Verdict != "fail" {
				t.Errorf("confirm at lambda depth: %+v, want fail", rec.Verdicts)
			}
			if rec.SignUps[1] != 0 || !strings.HasPrefix(rec.Control, "failed: ") {
				t.Errorf("accepted %d of %d sign-ups, control %q: an unreadable answer accepts none", rec.SignUps[1], rec.SignUps[0], rec.Control)
			}
			if t.Failed() {
				t.Logf("the run said:\n%s", out)
			}
		})
	}
}

// TestCrashBehindAPass: a handler that crashes on sign-ups without an email
// address passes cognito, which allows a refusal, but every report names
// the crash: the scenario, the error's type and its message (point 8).
func TestCrashBehindAPass(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	code := t.TempDir()
	os.WriteFile(filepath.Join(code, "index.mjs"), []byte(`export const handler = async (event) => {
  const domain = event.request.userAttributes.email.split("@")[1];
  event.response.autoConfirmUser = domain !== "";
  return event;
};
`), 0o644)
	reports := t.TempDir()
	status, out := localRun(t, ctx, runner, reports, "--runtime", "nodejs22.x", "--code", code, "--profile", "cognito")
	if status != 0 {
		t.Errorf("exit %d, want 0: the profile allows a refusal", status)
	}
	scenario := "Cognito accepts the answer: a user who gives only a phone number"
	msg := "Cannot read properties of undefined (reading 'split')"
	for _, w := range []string{"FUNCTION ERRORS", "CRASHED at", scenario, "TypeError: " + msg, "features/cognito.feature"} {
		if !bytes.Contains(out, []byte(w)) {
			t.Errorf("the output lacks %q", w)
		}
	}
	var rec struct {
		Errors []struct{ Scenario, Label, Type, Message string } `json:"function_errors"`
	}
	b, err := os.ReadFile(filepath.Join(reports, "run.json"))
	if err != nil || json.Unmarshal(b, &rec) != nil {
		t.Fatalf("no run.json: %v", err)
	}
	found := false
	for _, e := range rec.Errors {
		found = found || (e.Scenario == scenario && e.Label == "crashed" && e.Type == "TypeError" && strings.Contains(e.Message, msg))
	}
	if !found {
		t.Errorf("run.json does not name the crash: %+v", rec.Errors)
	}
	for file, want := range map[string][]string{
		"lambda/junit.xml": {"crashed: " + scenario, "TypeError: " + msg},
		"report.html":      {`id="function-errors"`, "TypeError", msg, scenario},
	} {
		b, _ := os.ReadFile(filepath.Join(reports, file))
		for _, w := range want {
			if !strings.Contains(htmlUnescape(string(b)), w) {
				t.Errorf("%s lacks %q", file, w)
			}
		}
	}
	if t.Failed() {
		t.Logf("the run said:\n%s", out)
	}
}

// htmlUnescape undoes the escaping that XML and HTML give a quote.
func htmlUnescape(s string) string {
	return strings.NewReplacer("&#39;", "'", "&#34;", `"`, "&quot;", `"`, "&apos;", "'", "&amp;", "&").Replace(s)
}

// TestLongErrorMessageStaysBounded: a handler whose error message is 1 MB
// (Lambda allows one to fill a 6 MB answer) is judged as quickly as one
// with a short message, and the run quotes it bounded: the reports stay
// small enough for `report` to read them back (red team round 21: 160 s at
// full CPU, 211 MB of reports, and a run.json `report` refused).
func TestLongErrorMessageStaysBounded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	code, reports := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(code, "lambda_function.py"), []byte("def lambda_handler(event, context):\n    raise Exception('start' + 'E' * 1_000_000 + 'end')\n"), 0o644)
	status, out := localRun(t, ctx, runner, reports, "--runtime", "python3.12", "--code", code, "--profile", "cognito,confirm")
	if status != 1 {
		t.Errorf("exit %d, want 1", status)
	}
	if len(out) > 256<<10 || !bytes.Contains(out, []byte("bytes left out")) {
		t.Errorf("the run printed %d bytes; want under 256 KiB, the message quoted bounded", len(out))
	}
	var total int64
	filepath.Walk(reports, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			total += fi.Size()
		}
		return nil
	})
	if total > 2<<20 {
		t.Errorf("the reports hold %d bytes, want under 2 MiB", total)
	}
	md := exec.CommandContext(ctx, runner, "report", "--markdown", "-", reports)
	summary, err := md.Output()
	if err != nil || !bytes.Contains(summary, []byte("FAIL")) {
		t.Errorf("report --markdown on the run's reports: %v, %.300q", err, summary)
	}
	if t.Failed() {
		t.Logf("the run said:\n%.4000s", out)
	}
}
