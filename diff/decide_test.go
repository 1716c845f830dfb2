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
