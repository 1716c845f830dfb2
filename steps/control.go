package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/harness/targets"

	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// ControlFixture is the control sign-up every run sends at its depth: an
// ordinary PreSignUp_SignUp with an email address nobody holds.
const ControlFixture = "email-only"

// Control is what became of the control sign-up.
type Control struct {
	// Observed is false when the target could not run it; Why says why.
	Observed bool
	Why      string
	// Accepted is set when the handler neither refused it nor failed.
	Accepted bool
	// Failed is set when the sign-up failed rather than being refused: no
	// answer in time, a runtime that failed, or an answer Cognito cannot read.
	Failed bool
	// Message is the refusal's or the failure's text.
	Message string
}

func (c Control) String() string {
	switch {
	case !c.Observed:
		return "not observable here: " + c.Why
	case c.Accepted:
		return "accepted"
	case c.Failed:
		return "failed: " + c.Message
	}
	return "refused: " + c.Message
}

// RunControl sends the control sign-up through the target, judged only for
// acceptance, and counts it with the scenarios' sign-ups.
func (s *Suite) RunControl(ctx context.Context) Control {
	b, err := bounded.ReadFS(s.Fixtures, FixturePath(ControlFixture), bounded.Fixture, fixtureRule)
	if err != nil {
		return Control{Why: fmt.Sprintf("the fixture %s: %v", FixturePath(ControlFixture), err)}
	}
	in := &targets.Input{Fixture: ControlFixture, Event: b}
	obs, err := s.Target.Run(ctx, in)
	if cerr := s.Target.Cleanup(context.WithoutCancel(ctx), in); err == nil && cerr != nil {
		err = fmt.Errorf("cleaning up after the control: %w", cerr)
	}
	if err != nil {
		return Control{Why: err.Error()}
	}
	c := controlOf(obs)
	if s.Tally != nil {
		s.Tally.sent("", "PreSignUp_SignUp", c.Accepted)
		if e, ok := errorOf(obs); ok {
			e.Scenario, e.Fixture = "the control sign-up", FixturePath(ControlFixture)
			s.Tally.errored(e)
		}
	}
	return c
}

// controlOf is what the control's observation shows. Only an answer
// Cognito can read, with no refusal and no failure, is accepted: a
// cut-off answer fails the sign-up (see targets.ReadAnswer).
func controlOf(obs *targets.Observation) Control {
	c := Control{Observed: true, Accepted: !obs.Refused && obs.Failure == "" && obs.Unreadable == "",
		Failed: obs.Failure != "", Message: bounded.Text(obs.Message, bounded.HandlerText)}
	switch {
	case obs.Unreadable != "":
		c.Message = bounded.Text(obs.Unreadable, bounded.HandlerText)
	case obs.Failure != "":
		c.Message = obs.Failure + ": " + bounded.Text(obs.Message, bounded.HandlerText)
	}
	return c
}

// sent records one sign-up a scenario sent: the profile it judged, its
// trigger source, and whether the handler accepted it.
func (t *Tally) sent(profile, source string, accepted bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byProfile == nil {
		t.byProfile = map[string][2]int{}
	}
	if profile != "" {
		n := t.byProfile[profile]
		n[0]++
		if accepted {
			n[1]++
		}
		t.byProfile[profile] = n
	}
	if source == "PreSignUp_SignUp" {
		t.signUps++
		if accepted {
			t.acceptedSignUps++
		}
	}
}

// SignUps returns how many PreSignUp_SignUp sign-ups were sent, the control
// included, and how many the handler accepted.
func (t *Tally) SignUps() (sent, accepted int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.signUps, t.acceptedSignUps
}

// Accepted returns, per profile, how many of its scenarios sent a sign-up
// and how many of those the handler accepted.
func (t *Tally) Accepted() map[string][2]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string][2]int{}
	for k, v := range t.byProfile {
		out[k] = v
	}
	return out
}

// profileTag names the profile a scenario's tags carry, from those asked.
func profileTag(tags []string, profiles []string) string {
	for _, t := range tags {
		for _, p := range profiles {
			if strings.TrimPrefix(t, "@") == p {
				return p
			}
		}
	}
	return ""
}

// triggerSource reads an event's trigger source.
func triggerSource(event []byte) string { return gjson.GetBytes(event, "triggerSource").String() }

// The response flags, as FlagsSet names them.
const (
	FlagConfirm     = "autoConfirmUser"
	FlagVerifyEmail = "autoVerifyEmail"
	FlagVerifyPhone = "autoVerifyPhone"
)

// answered counts the flags an accepted answer set, so that a run can tell
// a handler that never sets a flag from one that sets it on the wrong
// sign-ups.
func (t *Tally) answered(obs *targets.Observation) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.flagsSet == nil {
		t.flagsSet = map[string]int{}
	}
	if obs.Refused || obs.Failure != "" || obs.Unreadable != "" {
		return
	}
	for flag, v := range map[string]*bool{FlagConfirm: obs.Confirmed, FlagVerifyEmail: obs.EmailVerified, FlagVerifyPhone: obs.PhoneVerified} {
		if v != nil && *v {
			t.flagsSet[flag]++
		}
	}
}

// FlagsSet counts, per flag, the accepted answers that set it; every flag
// is named, with 0 when no answer set it.
func (t *Tally) FlagsSet() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]int{FlagConfirm: 0, FlagVerifyEmail: 0, FlagVerifyPhone: 0}
	for k, v := range t.flagsSet {
		out[k] = v
	}
	return out
}
