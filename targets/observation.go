package targets

import (
	"errors"

	"github.com/tidwall/gjson"
)

// ErrCannot marks an input a target cannot run; the scenario is skipped with
// the wrapped reason.
var ErrCannot = errors.New("target cannot run this scenario")

// ErrSetup marks what no scenario can get past: the set-up is wrong, not the
// handler, such as a pool that may not invoke its trigger. The run ends as
// a setup error (exit 2) with the wrapped reason.
var ErrSetup = errors.New("the set-up is wrong")

// readFlags fills the flags from the raw response. Only a JSON true counts as
// set: Cognito reads anything else as false.
func (o *Observation) readFlags() {
	r := gjson.GetBytes(o.Response, "response")
	flag := func(name string) *bool {
		v := r.Get(name).Type == gjson.True
		return &v
	}
	o.Confirmed = flag("autoConfirmUser")
	o.EmailVerified = flag("autoVerifyEmail")
	o.PhoneVerified = flag("autoVerifyPhone")
}
