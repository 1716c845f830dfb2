package targets

import (
	"errors"
)

// ErrCannot marks an input a target cannot run; the scenario is skipped with
// the wrapped reason.
var ErrCannot = errors.New("target cannot run this scenario")

// ErrSetup marks what no scenario can get past: the set-up is wrong, not the
// handler, such as a pool that may not invoke its trigger. The run ends as
// a setup error (exit 2) with the wrapped reason.
var ErrSetup = errors.New("the set-up is wrong")

// readAnswer reads the raw response to event as Cognito does (ReadAnswer)
// and fills the flags from it. An answer Cognito cannot read fails the
// sign-up: it is marked Unreadable and Failure, with Refused, so every
// profile, the control and diff count it as not accepted, and no flag is
// set. One it reads but does not take (AnswerRefusal: rules §2, §3) fails
// the sign-up the same way at every depth, as the pool fails it; its flags
// stay set, so a report can show the one at fault.
func (o *Observation) readAnswer(event []byte) {
	a, err := ReadAnswer(o.Response)
	if err != nil {
		o.Refused, o.Message, o.Unreadable = true, err.Error(), err.Error()
		o.Failure = "Cognito cannot read the answer: Cognito fails the sign-up"
		return
	}
	o.Confirmed, o.EmailVerified, o.PhoneVerified = &a.Confirm, &a.Email, &a.Phone
	if why := AnswerRefusal(event, a); why != "" {
		refusedAtPool(o, why)
		o.Unreadable = "Cognito does not take the answer: " + why
	}
}
