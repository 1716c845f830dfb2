package conformance

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/autoconfirm/autoconfirm/steps"
)

// notApplicableClaim refuses a claim of a profile none of whose scenarios
// this pool lets reach the trigger (rules §9): it would be neither passed
// nor failed, and a claim that checks nothing is the user's mistake. A
// default claim is not the user's, so its profiles are only reported.
func notApplicableClaim(o Options, verdicts []steps.Verdict) error {
	if o.Shape == nil || o.DefaultClaim {
		return nil
	}
	var bad []string
	for _, v := range verdicts {
		if v.Verdict == steps.NotApplicableVerdict {
			bad = append(bad, fmt.Sprintf("%s (%d scenario(s))", v.Profile, v.NotApplicable))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("the profile(s) %s claim nothing this pool can produce: the pool (%s) refuses every one of their sign-ups before the trigger runs (rules §9), so they would be neither passed nor failed; leave them out of --profile, or give the pool's real shape (--template, or --username-attributes, --alias-attributes, --required-attributes, --write-attributes)",
		strings.Join(bad, ", "), o.Shape)
}

// naSkips are the scenarios left out as not applicable, as skips with
// their reason, for the JUnit and HTML reports.
func naSkips(target string, items []steps.Skip) []steps.Skip {
	out := make([]steps.Skip, 0, len(items))
	for _, s := range items {
		out = append(out, steps.Skip{Target: target, Scenario: s.Scenario, Reason: "not applicable to this pool: " + s.Reason})
	}
	return out
}

// poolText names the pool's shape and what it left out, for the report.
func (r runRecord) poolText() string {
	if r.Pool == "" {
		return ""
	}
	s := "pool: " + r.Pool
	if n := len(r.NotApplicable); n > 0 {
		s += fmt.Sprintf("; not applicable to this pool, so not run: %d scenario(s)", n)
	}
	return s
}

// addPool takes a depth's pool and the scenarios it left out.
func (d *Depths) addPool(rec runRecord) {
	if rec.Pool == "" {
		return
	}
	d.Pool = rec.Pool
	if d.NotApplicable == nil {
		d.NotApplicable = map[string]string{}
	}
	maps.Copy(d.NotApplicable, rec.NotApplicable)
}

// printPool names the pool's shape and the scenarios it left out.
func (d Depths) printPool(w io.Writer) {
	if d.Pool == "" {
		return
	}
	fmt.Fprintf(w, "  pool: %s\n", d.Pool)
	var items []steps.Skip
	for _, sc := range slices.Sorted(maps.Keys(d.NotApplicable)) {
		items = append(items, steps.Skip{Scenario: sc, Reason: d.NotApplicable[sc]})
	}
	steps.PrintNotApplicable(w, d.Pool, items)
}
