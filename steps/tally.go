package steps

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// Tally counts how each scenario ended, by what was really checked. godog's
// own summary counts a scenario whose steps were skipped as passed; this one
// does not.
type Tally struct {
	mu                           sync.Mutex
	passed, unobservable, failed int
	checkedOutcomes              int
	failures                     []Failure
	errors                       []FunctionError
	// byProfile counts, per profile, the scenarios that sent a sign-up and
	// those the handler accepted; signUps and acceptedSignUps the
	// PreSignUp_SignUp sign-ups, the control included.
	byProfile                map[string][2]int
	signUps, acceptedSignUps int
	// ends counts, per profile, how its scenarios ended.
	ends map[string]*Ends
	// na lists the scenarios not applicable to the pool's shape.
	na []Skip
	// flagsSet counts, per response flag, the accepted answers that set it.
	flagsSet map[string]int
}

// Failure is one failed scenario, with what a reader needs to find it.
type Failure struct {
	Scenario string
	// URI is the feature file; AstNodeIDs name the scenario and, for an
	// outline, its Examples row, in the parsed feature.
	URI        string
	AstNodeIDs []string
	Fixture    string
	// Step is the step that failed, and Error what it said (expected and
	// actual).
	Step, Error string
}

func (t *Tally) fail(f Failure) {
	t.mu.Lock()
	t.failures = append(t.failures, f)
	t.mu.Unlock()
}

// Failures returns the failed scenarios in the order they ended.
func (t *Tally) Failures() []Failure {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Failure(nil), t.failures...)
}

// scenarioEnd records one scenario: failed, or with some step skipped (not
// observable by the target), or fully passed; and how many of its outcome
// steps (Then) were checked.
func (t *Tally) scenarioEnd(failed, skipped bool, checked int) {
	t.profileEnd("", failed, skipped, checked)
}

// profileEnd is scenarioEnd for a scenario of a profile ("" for none).
func (t *Tally) profileEnd(profile string, failed, skipped bool, checked int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ends == nil {
		t.ends = map[string]*Ends{}
	}
	e := t.ends[profile]
	if e == nil {
		e = &Ends{}
		t.ends[profile] = e
	}
	switch {
	case failed:
		t.failed++
		e.Failed++
	case skipped:
		t.unobservable++
		e.Unobservable++
	default:
		t.passed++
		e.Passed++
	}
	t.checkedOutcomes += checked
	e.Checked += checked
}

// Ends counts how a profile's scenarios ended.
type Ends struct {
	Passed       int `json:"passed"`
	Failed       int `json:"failed"`
	Unobservable int `json:"not_observable"`
	// Checked counts the outcome steps checked, in passed scenarios and in
	// those with a step the target could not observe.
	Checked int `json:"checked"`
	// NotApplicable counts the scenarios left out because the pool refuses
	// their sign-up before the trigger runs (rules §9).
	NotApplicable int `json:"not_applicable,omitempty"`
}

// NotApplicableVerdict is the verdict of a profile none of whose scenarios
// the pool's shape lets reach the trigger.
const NotApplicableVerdict = "not applicable"

// Verdict is one profile's outcome at one depth.
type Verdict struct {
	Profile string `json:"profile"`
	// Verdict is pass, fail, vacuous (passed, but the handler accepted no
	// sign-up at this depth), not observable (nothing checked) or not
	// applicable (the pool refuses every sign-up of its scenarios).
	Verdict string `json:"verdict"`
	Ends
	// Sent and Accepted count the profile's sign-ups.
	Sent     int `json:"sent"`
	Accepted int `json:"accepted"`
}

// Verdicts returns the verdict of each profile, in the order given.
func (t *Tally) Verdicts(profiles []string) []Verdict {
	acc := t.Accepted()
	sent, accepted := t.SignUps()
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Verdict
	for _, p := range profiles {
		v := Verdict{Profile: p, Sent: acc[p][0], Accepted: acc[p][1]}
		if e := t.ends[p]; e != nil {
			v.Ends = *e
		}
		switch {
		case v.Failed > 0:
			v.Verdict = "fail"
		case v.Passed+v.Unobservable == 0 && v.NotApplicable > 0:
			v.Verdict = NotApplicableVerdict
		case v.Checked == 0:
			v.Verdict = "not observable"
		case sent > 0 && accepted == 0:
			v.Verdict = "vacuous"
		default:
			v.Verdict = "pass"
		}
		out = append(out, v)
	}
	return out
}

// PrintVerdicts writes the verdict table.
func PrintVerdicts(w io.Writer, depth string, vs []Verdict) {
	fmt.Fprintf(w, "\nVERDICT at the %s depth, one row per claimed profile:\n", depth)
	fmt.Fprintf(w, "  %-14s %-15s %7s %7s %14s %18s\n", "profile", "verdict", "passed", "failed", "not observable", "sign-ups accepted")
	for _, v := range vs {
		fmt.Fprintf(w, "  %-14s %-15s %7d %7d %14d %18s\n", v.Profile, v.Verdict, v.Passed, v.Failed, v.Unobservable, fmt.Sprintf("%d of %d", v.Accepted, v.Sent))
	}
}

// Counts returns the scenarios that passed, were not fully observable, and
// failed, and the outcome steps checked.
func (t *Tally) Counts() (passed, unobservable, failed, checked int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.passed, t.unobservable, t.failed, t.checkedOutcomes
}

// Summary is the line that replaces godog's scenario summary.
func (t *Tally) Summary(target string) string {
	p, u, f, _ := t.Counts()
	var parts []string
	if p > 0 {
		parts = append(parts, fmt.Sprintf("%d passed", p))
	}
	if u > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped: not fully observable by the %s target", u, target))
	}
	if f > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", f))
	}
	if len(parts) == 0 {
		return "0 scenarios"
	}
	return fmt.Sprintf("%d scenarios (%s)", p+u+f, strings.Join(parts, ", "))
}
