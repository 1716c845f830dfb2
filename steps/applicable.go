package steps

import (
	"fmt"
	"io"
	"sort"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/poolshape"
)

// notApplicable says why the suite's pool would refuse this scenario's
// sign-up before its trigger runs (rules §9), or "": such a scenario is not
// run, and counts neither as passed nor as failed.
func (st *scenario) notApplicable() string {
	sh := st.suite.Shape
	if sh == nil || st.in.Event == nil {
		return ""
	}
	su := poolshape.SignUp{Source: gjson.GetBytes(st.in.Event, "triggerSource").String(), Attributes: map[string]string{}}
	gjson.GetBytes(st.in.Event, "request.userAttributes").ForEach(func(k, v gjson.Result) bool {
		if v.Type == gjson.String {
			su.Attributes[k.Str] = v.Str
		}
		return true
	})
	for _, h := range st.in.Holders {
		su.Holders = append(su.Holders, h.Attributes)
	}
	return sh.Refusal(su)
}

// leaveOut marks the scenario not applicable to the pool, and stops it.
func (st *scenario) leaveOut(reason string) error {
	st.na = reason
	return fmt.Errorf("%w: not applicable to this pool (%s): %s", godog.ErrSkip, st.suite.Shape, reason)
}

// notApplicable records a scenario left out as not applicable to the pool.
func (t *Tally) notApplicable(profile, scenario, reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ends == nil {
		t.ends = map[string]*Ends{}
	}
	if t.ends[profile] == nil {
		t.ends[profile] = &Ends{}
	}
	t.ends[profile].NotApplicable++
	t.na = append(t.na, Skip{Scenario: scenario, Reason: reason})
}

// NotApplicable returns the scenarios left out as not applicable to the
// pool, with why, sorted by scenario.
func (t *Tally) NotApplicable() []Skip {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]Skip(nil), t.na...)
	sort.Slice(out, func(i, j int) bool { return out[i].Scenario < out[j].Scenario })
	return out
}

// PrintNotApplicable names the pool's shape and the scenarios it left out,
// or nothing when it left none out.
func PrintNotApplicable(w io.Writer, shape string, items []Skip) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\nNOT APPLICABLE TO THIS POOL (%s): %d scenario(s) send a sign-up that this pool refuses before its trigger runs, so they were not run and count neither as passed nor as failed:\n", shape, len(items))
	for _, s := range items {
		fmt.Fprintf(w, "  - %s: %s\n", s.Scenario, s.Reason)
	}
}
