package diff

import (
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/presignup"
)

// TestDecideReadsTheAnswerWhole: diff reads an answer as the targets do, so
// a cut-off answer or a duplicate member is a failed sign-up, never the
// flags it seems to hold.
func TestDecideReadsTheAnswerWhole(t *testing.T) {
	c := Case{}
	c.Event.TriggerSource = presignup.SourceSignUp
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
	c.Event.TriggerSource = presignup.SourceSignUp
	long := "no: " + strings.Repeat("x", 1<<20)
	for _, obs := range []*targets.Observation{{Refused: true, Message: long}, {Refused: true, Unreadable: long}} {
		d := decide(c, obs)
		if len(d.Message) > 1200 || !strings.HasPrefix(strings.TrimPrefix(d.Message, "Cognito cannot read the answer: "), "no: ") || !strings.Contains(d.Message, "bytes left out") {
			t.Errorf("decided a %d-byte message: %.80q (%d bytes)", len(long), d.Message, len(d.Message))
		}
	}
}

// TestDecideNamesCrashes: a function error that is a crash reads as one,
// as `local` labels it (rules §11), and a refusal of the handler's own as a
// refusal; Cognito refuses the sign-up either way (red team round 26).
func TestDecideNamesCrashes(t *testing.T) {
	c := Case{}
	c.Event.TriggerSource = presignup.SourceSignUp
	for _, tt := range []struct {
		name string
		obs  targets.Observation
		want string
	}{
		{"its own refusal", targets.Observation{Refused: true, ErrorType: "Error", Message: "An email address is required"}, `refused: "An email address is required"`},
		{"a TypeError", targets.Observation{Refused: true, ErrorType: "TypeError", Message: "Cannot read properties of undefined"}, "refused by a crash (a language runtime error"},
		{"a Go panic", targets.Observation{Refused: true, ErrorType: "string", Message: "boom", Panicked: true}, "refused by a crash (a Go panic"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if d := decide(c, &tt.obs); d.Outcome != Refused || !strings.HasPrefix(d.String(), tt.want) {
				t.Errorf("decided %s, want %s…", d, tt.want)
			}
		})
	}
}
