package conformance

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/cucumber/godog"

	"github.com/autoconfirm/autoconfirm/harness/targets"
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
	return fmt.Errorf("the profile(s) %s claim nothing this pool can produce: the pool (%s) refuses every one of their sign-ups before the trigger runs (rules §9), or has no alias their checks could see taken (rules §8), so they would be neither passed nor failed; leave them out of --profile, or give the pool's real shape (--template, or --username-attributes, --alias-attributes, --required-attributes, --write-attributes)",
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
func (r Record) poolText() string {
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
func (d *Depths) addPool(rec Record) {
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

// CheckClaim refuses, before any sign-up is sent, a claim that the run would
// refuse at its end (notApplicableClaim): it walks the selected scenarios
// against a target that sends nothing, so the pool's shape alone decides
// which are applicable. A caller that starts a stack first calls it, so a
// claim the pool cannot judge costs no run.
func CheckClaim(o Options) error {
	if o.Shape == nil || o.DefaultClaim {
		return nil
	}
	if len(o.Paths) == 0 {
		o.Paths = []string{"features"}
	}
	if o.Features != "" || o.Fixtures != "" {
		content, err := addOwn(o.Content, o.Features, o.Fixtures)
		if err != nil {
			return err
		}
		o.Content = content
		if o.Features != "" {
			o.Paths = append(o.Paths, OwnFeatures)
		}
	}
	counted := o.Profiles
	if len(counted) == 0 {
		counted = BuiltinProfiles
	}
	tally := &steps.Tally{}
	suite := &steps.Suite{Target: planTarget{}, Fixtures: o.Content, Skips: &steps.SkipLog{}, Tally: tally, Profiles: counted, Shape: o.Shape}
	ts := godog.TestSuite{
		Name:                "autoconfirm-claim",
		ScenarioInitializer: suite.InitializeScenario,
		Options: &godog.Options{Format: "progress", Paths: o.Paths, FS: o.Content, Tags: o.Tags, Concurrency: 1,
			Strict: true, NoColors: true, Output: io.Discard},
	}
	if _, _, err := checkSelection(&ts, o.Tags, o.Profiles, !o.DefaultClaim); err != nil {
		return err
	}
	ts.Run()
	return notApplicableClaim(o, tally.Verdicts(counted))
}

// planTarget sends nothing: every sign-up that reaches it is refused at
// once, so a scenario either is left out as not applicable before it, or
// ends; which, is all CheckClaim reads.
type planTarget struct{}

func (planTarget) Name() string { return "claim check" }

func (planTarget) Run(context.Context, *targets.Input) (*targets.Observation, error) {
	return &targets.Observation{Refused: true, Message: "not sent: the claim is being checked"}, nil
}

func (planTarget) Cleanup(context.Context, *targets.Input) error { return nil }
