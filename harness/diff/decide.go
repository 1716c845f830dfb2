package diff

import (
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/internal/bounded"
	"github.com/autoconfirm/autoconfirm/presignup"
)

// Decision is what Cognito makes of a handler's answer to one sign-up: the
// decision, not the bytes. Flags Cognito ignores (on AdminCreateUser) are
// not part of it, and an answer Cognito refuses is a refusal.
type Decision struct {
	// Outcome is accepted, refused or failed.
	Outcome string `json:"outcome"`
	// Message is the refusal's text, or why the sign-up failed.
	Message string `json:"message,omitempty"`
	// Crash, for a refusal, says why it was a crash and not the handler's
	// own refusal, as `local` labels it (rules §11); Cognito refuses the
	// sign-up either way.
	Crash string `json:"crash,omitempty"`
	// The flags of an accepted sign-up.
	Confirm bool `json:"autoConfirmUser"`
	Email   bool `json:"autoVerifyEmail"`
	Phone   bool `json:"autoVerifyPhone"`
}

// The outcomes.
const (
	Accepted = "accepted"
	Refused  = "refused"
	Failed   = "failed"
)

// cognitoWait is how long Cognito waits for an answer (rules §4).
const cognitoWait = 5 * time.Second

func (d Decision) String() string {
	switch d.Outcome {
	case Accepted:
		var set []string
		for _, f := range []struct {
			on   bool
			name string
		}{{d.Confirm, "autoConfirmUser"}, {d.Email, "autoVerifyEmail"}, {d.Phone, "autoVerifyPhone"}} {
			if f.on {
				set = append(set, f.name)
			}
		}
		if len(set) == 0 {
			return "accepted, no flag set"
		}
		return "accepted with " + strings.Join(set, ", ")
	case Refused:
		if d.Crash != "" {
			return fmt.Sprintf("refused by a crash (%s): %q", d.Crash, d.Message)
		}
		return fmt.Sprintf("refused: %q", d.Message)
	}
	return "failed: " + d.Message
}

// decide is the decision Cognito makes of what a target observed for c.
// sent maps the values the target wrote into the event back to c's, so that
// a refusal that quotes them reads the same from either side.
func decide(c Case, obs *targets.Observation) Decision {
	// Kept bounded: diff.json holds one for each event on each side (rules
	// §17).
	msg := bounded.Text(restore(c, obs), bounded.HandlerText)
	unreadable := bounded.Text(obs.Unreadable, bounded.HandlerText)
	switch {
	case unreadable != "" && strings.HasPrefix(unreadable, "Cognito "):
		return Decision{Outcome: Failed, Message: unreadable} // read, not taken (rules §2, §3)
	case unreadable != "":
		return Decision{Outcome: Failed, Message: "Cognito cannot read the answer: " + unreadable}
	case obs.Failure != "":
		return Decision{Outcome: Failed, Message: obs.Failure}
	case obs.Refused:
		d := Decision{Outcome: Refused, Message: msg, Crash: targets.CrashOf(obs.ErrorType, obs.Message)}
		if obs.Panicked {
			d.Crash = targets.PanicCrash
		}
		return d
	case obs.Elapsed > 3*cognitoWait:
		return Decision{Outcome: Failed, Message: fmt.Sprintf("no answer within %s, so Cognito would have given up (rules §4)", cognitoWait)}
	}
	if r := obs.Response; r != nil {
		// Read as every target reads it; the target has already, so this
		// holds for an observation made elsewhere too.
		if _, err := targets.ReadAnswer(r); err != nil {
			return Decision{Outcome: Failed, Message: "Cognito cannot read the answer: " + err.Error()}
		}
	}
	if c.Event.TriggerSource == presignup.SourceAdminCreateUser {
		return Decision{Outcome: Accepted} // Cognito ignores the flags (rules §6)
	}
	d := Decision{Outcome: Accepted, Confirm: isSet(obs.Confirmed), Email: isSet(obs.EmailVerified), Phone: isSet(obs.PhoneVerified)}
	attrs := c.Event.Request.UserAttributes
	switch {
	case (d.Email || d.Phone) && !d.Confirm:
		return Decision{Outcome: Refused, Message: "by Cognito: a verify flag without autoConfirmUser (rules §2)"}
	case d.Email && !has(attrs, presignup.AttrEmail), d.Phone && !has(attrs, presignup.AttrPhone):
		return Decision{Outcome: Refused, Message: "by Cognito: a verify flag for an attribute the user did not give (rules §3)"}
	}
	return d
}

func isSet(b *bool) bool { return b != nil && *b }

func has(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

// restore puts c's own email address and phone number back where the
// target's message quotes the values it wrote into the event instead.
func restore(c Case, obs *targets.Observation) string {
	msg := obs.Message
	if obs.Sent == nil || msg == "" {
		return msg
	}
	for _, attr := range []string{presignup.AttrEmail, presignup.AttrPhone} {
		orig := c.Event.Request.UserAttributes[attr]
		sent := gjson.GetBytes(obs.Sent, "request.userAttributes."+attr).Str // email, phone_number: nothing to escape
		if sent != "" && sent != orig {
			msg = strings.ReplaceAll(msg, sent, orig)
		}
	}
	return msg
}
