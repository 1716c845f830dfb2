package conformance

import (
	"bytes"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm/steps"
)

// TestErroredScenarios: every function error is listed once per scenario,
// labelled, in order of feature file and line however the scenarios ended.
func TestErroredScenarios(t *testing.T) {
	where := map[string]string{"s1": "line 30", "s2": "line 7", "s3": "line 22", "r3": "Examples row at line 40: | x |", "s4": "line 5"}
	pool := erroredScenarios("pool", []steps.FunctionError{
		{Scenario: "control", Message: "PreSignUp failed with error boom."},
		{Scenario: "late", URI: "features/b.feature", AstNodeIDs: []string{"s1"}, Message: "PreSignUp failed with error Cannot read properties of undefined."},
		{Scenario: "row", URI: "features/b.feature", AstNodeIDs: []string{"s3", "r3"}, Message: "PreSignUp failed with error no."},
		{Scenario: "early", URI: "features/b.feature", AstNodeIDs: []string{"s2"}, Message: "PreSignUp failed with error runtime error: index out of range [1] with length 1.", Crash: "a Go runtime error"},
		{Scenario: "first file", URI: "features/a.feature", AstNodeIDs: []string{"s4"}, Message: "PreSignUp failed with error no."},
	}, where)
	lambda := erroredScenarios("lambda", []steps.FunctionError{
		{Scenario: "late", URI: "features/b.feature", AstNodeIDs: []string{"s1"}, Type: "TypeError", Message: "Cannot read properties of undefined.", Crash: "a language runtime error"},
		{Scenario: "row", URI: "features/b.feature", AstNodeIDs: []string{"s3", "r3"}, Type: "Error", Message: "no"},
	}, where)
	got := sortErrors(mergeErrors(pool, lambda))
	want := []struct{ scenario, label, typ string }{
		{"first file", LabelErrored, ""},
		{"early", LabelCrashed, ""},
		{"late", LabelCrashed, "TypeError"},
		{"row", LabelRefused, "Error"},
		{"control", LabelErrored, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if g := got[i]; g.Scenario != w.scenario || g.Label != w.label || g.Type != w.typ {
			t.Errorf("%d: got %s %s %q, want %s %s %q", i, g.Scenario, g.Label, g.Type, w.scenario, w.label, w.typ)
		}
	}
	if d := got[2].Depths; len(d) != 2 || d[0] != "pool" || d[1] != "lambda" {
		t.Errorf("the crash seen at both depths lists %v", d)
	}
	var out bytes.Buffer
	PrintErrors(&out, got)
	for _, w := range []string{"the function errored in 5 scenario(s), 2 of them crashed", "3. CRASHED at pool, lambda: late",
		"where:   features/b.feature, line 30", "error:   TypeError: Cannot read properties of undefined.", "why:     a language runtime error",
		"(type not visible: Cognito passes on only the message)"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("the list lacks %q:\n%s", w, out.String())
		}
	}
}

// TestFailuresInPlaceOrder: failures are listed by feature file and line,
// not in the order concurrent scenarios ended.
func TestFailuresInPlaceOrder(t *testing.T) {
	got := sortFailures([]FailedScenario{
		{Scenario: "c", URI: "features/b.feature", Where: "line 12, Examples row at line 19: | x |"},
		{Scenario: "a", URI: "features/a.feature", Where: "line 50"},
		{Scenario: "b", URI: "features/b.feature", Where: "line 9"},
		{Scenario: "d", URI: "features/b.feature", Where: "line 100"},
	})
	var names []string
	for _, f := range got {
		names = append(names, f.Scenario)
	}
	if strings.Join(names, "") != "abcd" {
		t.Errorf("order %v, want a b c d", names)
	}
}
