package diff

import (
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/targets"
)

// TestDecideReadsTheAnswerWhole: diff reads an answer as the targets do, so
// a cut-off answer or a duplicate member is a failed sign-up, never the
// flags it seems to hold.
func TestDecideReadsTheAnswerWhole(t *testing.T) {
	c := Case{}
	c.Event.TriggerSource = handler.SourceSignUp
	yes := true
	for _, raw := range []string{`{"response": {"autoConfirmUser": true`, `{"response":{},"response":{"autoConfirmUser":true}}`} {
		// As a target that read the flags leniently would have left it.
		d := decide(c, &targets.Observation{Response: []byte(raw), Confirmed: &yes, EmailVerified: new(bool), PhoneVerified: new(bool)})
		if d.Outcome != Failed || !strings.Contains(d.Message, "Cognito cannot read the answer") {
			t.Errorf("%s: decided %s", raw, d)
		}
	}
	d := decide(c, &targets.Observation{Response: []byte(`{"response":{"autoConfirmUser":true}}`), Confirmed: &yes, EmailVerified: new(bool), PhoneVerified: new(bool)})
	if d.Outcome != Accepted || !d.Confirm {
		t.Errorf("a whole answer: decided %s", d)
	}
}

// TestDecideKeepsTextBounded: a refusal of 1 MB is kept as 1 KiB and a
// note of what was left out, for each of the events diff.json records.
func TestDecideKeepsTextBounded(t *testing.T) {
	c := Case{}
	c.Event.TriggerSource = handler.SourceSignUp
	long := "no: " + strings.Repeat("x", 1<<20)
	for _, obs := range []*targets.Observation{{Refused: true, Message: long}, {Refused: true, Unreadable: long}} {
		d := decide(c, obs)
		if len(d.Message) > 1200 || !strings.HasPrefix(strings.TrimPrefix(d.Message, "Cognito cannot read the answer: "), "no: ") || !strings.Contains(d.Message, "bytes left out") {
			t.Errorf("decided a %d-byte message: %.80q (%d bytes)", len(long), d.Message, len(d.Message))
		}
	}
}
