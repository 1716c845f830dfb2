package steps

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/internal/bounded"
	"github.com/autoconfirm/autoconfirm/presignup"
)

func (st *scenario) policyIs(p string) error {
	st.in.Policy = handler.Policy(p)
	return nil
}

func (st *scenario) lookupIs(op string) error {
	st.in.Lookup = map[string]handler.LookupMode{"AdminGetUser": handler.LookupAdminGetUser, "ListUsers": handler.LookupListUsers}[op]
	return nil
}

func (st *scenario) poolConfig(c targets.PoolConfig) func() error {
	return func() error { st.in.Fakes().Pool = &c; return nil }
}

func (st *scenario) describeFails() error {
	st.in.Fakes().DescribeFault = targets.FaultServerError
	return nil
}

func (st *scenario) disabledHolder(what string) error {
	if err := st.holder(true)(what); err != nil {
		return err
	}
	st.in.Holders[len(st.in.Holders)-1].Disabled = true
	return nil
}

func attrName(what string) string {
	if what == "email address" {
		return presignup.AttrEmail
	}
	return presignup.AttrPhone
}

// eventValue reads the sign-up event's email address or phone number, which
// the existing users in a scenario share.
func (st *scenario) eventValue(what string) (attr, value string, err error) {
	if st.in.Event == nil {
		return "", "", errors.New("name the sign-up event first")
	}
	attr = attrName(what)
	v := gjson.GetBytes(st.in.Event, "request.userAttributes."+gjsonKey(attr))
	if v.Type != gjson.String || v.Str == "" {
		return "", "", fmt.Errorf("the event %q has no %s to share", st.in.Fixture, what)
	}
	return attr, v.Str, nil
}

// addHolder adds an existing user who holds value as attr.
func (st *scenario) addHolder(attr, value string, verified bool) {
	st.in.Holders = append(st.in.Holders, targets.Holder{
		Username:   fmt.Sprintf("existing-holder-%d", len(st.in.Holders)+1),
		Attributes: map[string]string{attr: value, attr + "_verified": strconv.FormatBool(verified)},
	})
}

func (st *scenario) holder(verified bool) func(string) error {
	return func(what string) error {
		attr, value, err := st.eventValue(what)
		if err == nil {
			st.addHolder(attr, value, verified)
		}
		return err
	}
}

func (st *scenario) holderOf(what, value string) error {
	st.addHolder(attrName(what), value, true)
	return nil
}

func (st *scenario) poolHolds(name string) error {
	b, err := bounded.ReadFS(st.suite.Fixtures, "fixtures/pool/"+name+".json", bounded.Fixture, fixtureRule)
	if err != nil {
		return fmt.Errorf("pool fixture %q: %w (pool fixtures live in fixtures/pool/<name>.json)", name, err)
	}
	var page struct {
		Users []struct {
			Username   string
			Attributes []struct{ Name, Value string }
		}
	}
	if err := json.Unmarshal(b, &page); err != nil {
		return fmt.Errorf("pool fixture %q is not a ListUsers reply: %w", name, err)
	}
	for _, u := range page.Users {
		h := targets.Holder{Username: u.Username, Attributes: map[string]string{}}
		for _, a := range u.Attributes {
			h.Attributes[a.Name] = a.Value
		}
		st.in.Holders = append(st.in.Holders, h)
	}
	return nil
}

func (st *scenario) pageSize(n int) error { st.in.Fakes().PageSize = n; return nil }

func (st *scenario) lookupFault(what string) error {
	f, ok := map[string]targets.Fault{
		"fails with a server error":            targets.FaultServerError,
		"is throttled":                         targets.FaultThrottle,
		"returns a reply that is not JSON":     targets.FaultMalformed,
		"drops the connection":                 targets.FaultReset,
		"never answers":                        targets.FaultHang,
		"reports that the pool does not exist": targets.FaultNoPool,
		"cannot connect":                       targets.FaultRefused,
	}[what]
	if !ok {
		return fmt.Errorf("no fault is called %q", what)
	}
	st.in.Fakes().Fault = f
	return nil
}

// valueFault makes every lookup of the event's email address or phone number
// fail as Cognito fails under load or failure, and nothing else.
func (st *scenario) valueFault(what, how string) error {
	f := map[string]targets.Fault{"is throttled": targets.FaultThrottle, "fails with an internal error": targets.FaultServerError}[how]
	return st.addValueFault(what, f, 0)
}

// lateValue makes every lookup of the value answer right, but late.
func (st *scenario) lateValue(what string, ms int) error {
	return st.addValueFault(what, targets.FaultLate, time.Duration(ms)*time.Millisecond)
}

func (st *scenario) addValueFault(what string, f targets.Fault, delay time.Duration) error {
	attr, value, err := st.eventValue(what)
	if err == nil {
		st.in.ValueFaults = append(st.in.ValueFaults, targets.ValueFault{Attr: attr, Value: value, Fault: f, Delay: delay})
	}
	return err
}

// keptUnderFault is keptOrRefused for a value whose lookups fail: a sign-up
// that failed, because the SDK's retries outlasted the function's time,
// moves no alias either. Whether a trigger answers in time is the cognito
// profile's question (rules §4), not alias safety's.
func (st *scenario) keptUnderFault(what string) error {
	if st.obs != nil && st.obs.Failure != "" {
		return st.holdersKept()
	}
	err := st.keptOrRefused(what)
	if err == nil || len(st.in.ValueFaults) == 0 {
		return err
	}
	how := map[targets.Fault]string{
		targets.FaultThrottle:    "were throttled (TooManyRequestsException)",
		targets.FaultServerError: "failed (InternalErrorException)",
		targets.FaultLate:        "answered late, with the holder",
	}[st.in.ValueFaults[0].Fault]
	return fmt.Errorf("the pool's lookups of this %s %s, and the handler verified it anyway; a guard that does not know who holds a value must not verify it (rules §12): %w", what, how, err)
}

func (st *scenario) manyHolders(n int, what string) error {
	attr, value, err := st.eventValue(what)
	for i := 0; err == nil && i < n; i++ {
		st.addHolder(attr, value, false)
	}
	return err
}

func (st *scenario) deadline(ms int) error {
	st.in.Fakes().Deadline = time.Duration(ms) * time.Millisecond
	return nil
}

func (st *scenario) latency(ms int) error {
	st.in.Fakes().Latency = time.Duration(ms) * time.Millisecond
	return nil
}

func (st *scenario) budget(ms int) error {
	st.in.Fakes().Budget = time.Duration(ms) * time.Millisecond
	return nil
}
