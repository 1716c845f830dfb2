package steps

import (
	"fmt"
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
	// byProfile counts, per profile, the scenarios that sent a sign-up and
	// those the handler accepted; signUps and acceptedSignUps the
	// PreSignUp_SignUp sign-ups, the control included.
	byProfile                map[string][2]int
	signUps, acceptedSignUps int
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
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case failed:
		t.failed++
	case skipped:
		t.unobservable++
	default:
		t.passed++
	}
	t.checkedOutcomes += checked
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
