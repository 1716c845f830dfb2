package local

import (
	"bytes"
	"strings"
	"testing"
)

// childOutput is what a passing target's run printed before local kept
// only what a reader needs of it.
const childOutput = `autoconfirm-conformance: the function: arn:aws:lambda:us-east-1:000000000000:function:PreSignUp, version $LATEST
autoconfirm-conformance: the function runs the expected code: /code is CodeSha256 fw4=, 1 file(s) zipped deterministically
autoconfirm conformance: target pool, profiles cognito,alias-safe
run e98265: test users are named autoconfirm-test-e98265-…; each is deleted after its scenario
..........--........--................................................ 70
..........                                                             80


39 scenarios (35 passed, 4 skipped: not fully observable by the pool target)
150 steps (142 passed, 8 skipped)
5.849012311s

SKIPPED: 4 scenario(s) were not fully checked: the target "pool" cannot observe these steps, so they were skipped, not passed:
  - Cognito accepts the answer: an administrator creates the user: the pool target signs up through the SignUp API
  - Someone whose account is disabled has verified the email address: the live targets create existing users enabled

NOT APPLICABLE TO THIS POOL (required email): 2 scenario(s) send a sign-up that this pool refuses:
  - Every sign-up is confirmed: a user who gives only a phone number: the pool requires email

NOT CLAIMED: 106 scenario(s) belong to profiles this run was not asked to judge (autoconfirm: 91). Add a profile with --profile.
something the runner has not said before
reports: rep/pool/junit.xml (JUnit), rep/pool/cucumber.json (cucumber JSON), rep/pool/report.html (HTML)
`

// TestTargetOutput: of a target's output, local keeps the scenario count,
// the not-claimed line once for both targets, and any line it does not
// know; the progress, the lists the reports hold and what local says itself
// are dropped.
func TestTargetOutput(t *testing.T) {
	var out bytes.Buffer
	var once onceLines
	for _, target := range []string{"pool", "lambda"} {
		o := newTargetOutput(&out, target, &once)
		for _, chunk := range strings.SplitAfter(childOutput, "..") { // writes that split lines
			o.Write([]byte(chunk))
		}
		o.Write([]byte("a last line without a newline"))
		o.Close()
	}
	once.flush(&out)
	want := `local: pool target: 39 scenarios (35 passed, 4 skipped: not fully observable by the pool target)
something the runner has not said before
a last line without a newline
local: lambda target: 39 scenarios (35 passed, 4 skipped: not fully observable by the pool target)
something the runner has not said before
a last line without a newline
NOT CLAIMED: 106 scenario(s) belong to profiles this run was not asked to judge (autoconfirm: 91). Add a profile with --profile.
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
