package report

import (
	"encoding/xml"
	"fmt"
)

// FunctionError is one scenario in which the function errored at a depth:
// crashed or refused, with the error's type and message. A run lists every
// one, pass or fail.
type FunctionError struct {
	// Label is "crashed" or "refused"; Why says why a crash is not the
	// handler's own refusal.
	Label, Why string
	Scenario   string
	// URI and Where place the scenario; both empty for the control.
	URI, Where    string
	Type, Message string
}

// place is where a reader finds the scenario.
func (e FunctionError) place() string {
	if e.URI == "" {
		return "the control sign-up, outside the features"
	}
	return e.URI + ", " + e.Where
}

// typeText is the error's type, or why it is not known.
func (e FunctionError) typeText() string {
	if e.Type == "" {
		return "(type not visible at this depth: Cognito passes on only the message)"
	}
	return e.Type
}

type junitOutput struct {
	Text string `xml:",chardata"`
}

// AddFunctionErrors adds to a JUnit file written by FixJUnit a suite,
// "<target>: function errors", with one case per scenario in which the
// function errored, named "crashed: …" or "refused: …", its type and message
// in system-out. The cases pass: the scenario's own case holds its verdict.
func AddFunctionErrors(b []byte, target string, errs []FunctionError) ([]byte, error) {
	if len(errs) == 0 {
		return b, nil
	}
	var s junitSuites
	if err := xml.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("reading the JUnit file to add the function errors: %w", err)
	}
	su := &junitSuite{junitTotals: junitTotals{Name: target + ": function errors", Tests: len(errs), Time: "0"}}
	for _, e := range errs {
		out := fmt.Sprintf("%s at the %s depth\nwhere: %s\nerror: %s: %s", e.Label, target, e.place(), e.typeText(), e.Message)
		if e.Why != "" {
			out += "\nwhy: " + e.Why
		}
		su.Cases = append(su.Cases, &junitCase{ClassName: "autoconfirm." + target + ".function-errors",
			Name: e.Label + ": " + e.Scenario, Status: "passed", Time: "0", Out: &junitOutput{Text: out}})
	}
	s.Suites = append(s.Suites, su)
	s.Tests += su.Tests
	out, err := xml.MarshalIndent(&s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// errorView is one function error on the page.
type errorView struct {
	Label, Target, Scenario, Place, Type, Message, Why string
}

// errorViews lists the runs' function errors, run by run, each run's in
// its own order (by feature file and line).
func errorViews(runs []Run) []errorView {
	var out []errorView
	for _, r := range runs {
		for _, e := range r.Errors {
			out = append(out, errorView{Label: e.Label, Target: r.Target, Scenario: text(e.Scenario), Place: e.place(),
				Type: text(e.typeText()), Message: text(e.Message), Why: e.Why})
		}
	}
	return out
}
