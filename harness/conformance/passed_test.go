package conformance

import (
	"bytes"
	"strings"
	"testing"
)

// TestPrintPassed: a passing run's verdict says each crash on one line, with
// where its scenario is, counts the handler's own refusals in one line, and
// names the sandbox nowhere (local says it once, at the start).
func TestPrintPassed(t *testing.T) {
	d := Depths{Names: []string{"pool", "lambda"}, Sandbox: "sandboxed (bubblewrap)",
		Verdicts: []DepthsVerdict{{Profile: "cognito", Verdict: "pass", At: map[string]string{"pool": "pass", "lambda": "pass"}}},
		Errors: []ErroredScenario{
			{Scenario: "every lookup is throttled", URI: "features/alias_reuse.feature", Where: "line 375, Examples row at line 384: | x |",
				Label: LabelCrashed, Why: "an AWS SDK error the handler did not catch", Type: "TooManyRequestsException", Message: "Rate\nexceeded", Depths: []string{"pool", "lambda"}},
			{Scenario: "a disallowed domain", Label: LabelRefused, Type: "Error", Message: "not allowed", Depths: []string{"lambda"}},
			{Scenario: "another disallowed domain", Label: LabelRefused, Type: "Error", Message: "not allowed", Depths: []string{"lambda"}},
		},
		Controls: map[string]string{"pool": "accepted", "lambda": "accepted"}}
	var out bytes.Buffer
	d.PrintPassed(&out)
	got := out.String()
	for _, want := range []string{
		"  1. CRASHED at pool, lambda: every lookup is throttled: TooManyRequestsException: Rate exceeded (an AWS SDK error the handler did not catch; features/alias_reuse.feature:384)\n",
		"REFUSED: the handler refused the sign-up with an error of its own in 2 scenario(s)",
		"CONTROL: an ordinary PreSignUp_SignUp",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the verdict lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "sandboxed") || strings.Contains(got, "disallowed domain") {
		t.Errorf("the verdict repeats the sandbox or lists a refusal:\n%s", got)
	}
	if n := strings.Count(got, "\n"); n > 12 {
		t.Errorf("%d lines for one profile and one crash:\n%s", n, got)
	}
}
