package steps

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/harness/poolshape"
)

// notApplicable says why the suite's pool would refuse this scenario's
// sign-up before its trigger runs (rules §9), or has no alias that its
// checks could see taken (rules §8), or "": such a scenario is not run, and
// counts neither as passed nor as failed.
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
	if why := sh.Refusal(su); why != "" {
		return why
	}
	return st.noAliasToKeep()
}

// aliasCheck is the alias-safe promise for one value, as a step says it.
var aliasCheck = regexp.MustCompile(`^the (email address|phone number) is left unverified(,)? or the sign-up (is refused|does not go through)$`)

// noAliasToKeep says why none of the scenario's alias-safe checks applies
// to the pool, or "": only an attribute that is an alias in the pool moves
// when it is verified (rules §8), so where the attribute is not one,
// verifying a value another user holds verified takes nothing from them.
func (st *scenario) noAliasToKeep() string {
	var kept []string
	for _, text := range st.steps {
		m := aliasCheck.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		attr := attributeOf(m[1])
		if st.aliasIn(attr) {
			return ""
		}
		kept = append(kept, attr)
	}
	if len(kept) == 0 {
		return ""
	}
	return fmt.Sprintf("%s is not an alias attribute in this pool, so verifying a value another user holds verified moves nothing (rules §8)", strings.Join(kept, " and "))
}

// aliasIn says whether attr is an alias in the suite's pool: true when the
// pool's shape is not known.
func (st *scenario) aliasIn(attr string) bool {
	sh := st.suite.Shape
	return sh == nil || slices.Contains(sh.AliasAttributes, attr)
}

func attributeOf(what string) string {
	if what == "phone number" {
		return poolshape.Phone
	}
	return poolshape.Email
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
	fmt.Fprintf(w, "\nNOT APPLICABLE TO THIS POOL (%s): %d scenario(s) send a sign-up that this pool refuses before its trigger runs, or check an alias this pool does not have, so they were not run and count neither as passed nor as failed:\n", shape, len(items))
	for _, s := range items {
		fmt.Fprintf(w, "  - %s: %s\n", s.Scenario, s.Reason)
	}
}
