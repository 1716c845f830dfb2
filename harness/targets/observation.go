package targets

import (
	"context"
	"errors"
	"fmt"

	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrCannot marks an input a target cannot run; the scenario is skipped with
// the wrapped reason.
var ErrCannot = errors.New("target cannot run this scenario")

// ErrSetup marks what no scenario can get past: the set-up is wrong, not the
// handler, such as a pool that may not invoke its trigger. The run ends as
// a setup error (exit 2) with the wrapped reason.
var ErrSetup = errors.New("the set-up is wrong")

// unanswered makes a setup error of a call to what the run reaches, the
// pool or the function's endpoint, that got no answer even after the SDK's
// retries: the connection was refused or broke. The handler did not do
// that, so it is no verdict on it (red team round 24: a local pool that
// ended mid-run made a correct handler fail confirm). An interrupted run's
// calls are left as they are.
func unanswered(ctx context.Context, what string, err error) error {
	var send *smithyhttp.RequestSendError
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrSetup) || !errors.As(err, &send) {
		return err
	}
	return fmt.Errorf("%w: %s stopped answering (%v), so no scenario can be judged; under `local`, its pool, cognito-local, or its gateway ended during the run: run again, and report it if it happens again", ErrSetup, what, send.Err)
}

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
