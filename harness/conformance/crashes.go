package conformance

import (
	"cmp"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/report"
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/internal/termtext"
	"github.com/autoconfirm/autoconfirm/steps"
)

// The labels of a function error (targets.CrashOf, docs/cognito-rules.md §11).
const (
	LabelCrashed = "crashed"
	LabelRefused = "refused"
	// LabelErrored is a function error whose type the depth cannot see
	// (through a pool, Cognito passes on only the message) and whose message
	// shows no crash: another depth may tell.
	LabelErrored = "errored"
)

// labelRank orders the labels for merging: what one depth tells beats what
// another could not see.
var labelRank = map[string]int{LabelErrored: 0, LabelRefused: 1, LabelCrashed: 2}

// ErroredScenario is one scenario in which the function errored, once, with
// the depths where it did: listed by every run, pass or fail, so that a
// crash where the profile allows a refusal is never hidden.
type ErroredScenario struct {
	Scenario string `json:"scenario"`
	URI      string `json:"uri,omitempty"`
	Where    string `json:"where,omitempty"`
	Fixture  string `json:"fixture,omitempty"`
	// Label is crashed, refused or errored; Why says why a crash is not a
	// refusal.
	Label string `json:"label"`
	Why   string `json:"why,omitempty"`
	// Type and Message are the error's, from the depth that saw its type
	// when one did: Cognito passes on only the message.
	Type    string   `json:"type"`
	Message string   `json:"message"`
	Depths  []string `json:"depths"`
}

// erroredScenarios turns one depth's function errors into records, placed
// in the features by where (see places), in the order of sortByPlace.
func erroredScenarios(depth string, errs []steps.FunctionError, where map[string]string) []ErroredScenario {
	var out []ErroredScenario
	for _, e := range errs {
		var loc []string
		for _, id := range e.AstNodeIDs {
			if p, ok := where[id]; ok {
				loc = append(loc, p)
			}
		}
		r := ErroredScenario{Scenario: e.Scenario, URI: e.URI, Where: strings.Join(loc, ", "), Fixture: e.Fixture,
			Label: LabelRefused, Type: e.Type, Message: e.Message, Depths: []string{depth}}
		switch {
		case e.Crash != "":
			r.Label, r.Why = LabelCrashed, e.Crash
		case e.Type == "":
			r.Label = LabelErrored
		}
		out = append(out, r)
	}
	return sortErrors(mergeErrors(out))
}

// mergeErrors lists each scenario once, with every depth where the function
// errored in it; a crash at any depth labels it crashed, and a depth that
// saw the error's type names it.
func mergeErrors(lists ...[]ErroredScenario) []ErroredScenario {
	return mergeOnce(lists, func(e ErroredScenario) [3]string { return [3]string{e.URI, e.Where, e.Scenario} },
		func(m *ErroredScenario, e ErroredScenario) {
			for _, d := range e.Depths {
				if !slices.Contains(m.Depths, d) {
					m.Depths = append(m.Depths, d)
				}
			}
			if labelRank[e.Label] > labelRank[m.Label] {
				m.Label, m.Why = e.Label, e.Why
			}
			if m.Type == "" && e.Type != "" {
				m.Type, m.Message = e.Type, e.Message
			}
		})
}

var lineIn = regexp.MustCompile(`line (\d+)`)

// placeOf is where a scenario is, for sorting: its feature file and the last
// line its place names (an Examples row's, in an outline). A sign-up with no
// feature file, the control, sorts last.
func placeOf(uri, where string) (string, int) {
	if uri == "" {
		uri = "\uffff"
	}
	line := 0
	if m := lineIn.FindAllStringSubmatch(where, -1); len(m) > 0 {
		line, _ = strconv.Atoi(m[len(m)-1][1])
	}
	return uri, line
}

// sortByPlace orders records by feature file and line: a run lists them in
// the same order however its scenarios were scheduled.
func sortByPlace[T any](list []T, place func(T) (string, string)) []T {
	slices.SortStableFunc(list, func(a, b T) int {
		ua, la := placeOf(place(a))
		ub, lb := placeOf(place(b))
		return cmp.Or(cmp.Compare(ua, ub), cmp.Compare(la, lb))
	})
	return list
}

func sortErrors(l []ErroredScenario) []ErroredScenario {
	return sortByPlace(l, func(e ErroredScenario) (string, string) { return e.URI, e.Where })
}

func sortFailures(l []FailedScenario) []FailedScenario {
	return sortByPlace(l, func(f FailedScenario) (string, string) { return f.URI, f.Where })
}

// PrintErrors lists every scenario in which the function errored, each
// labelled crashed or refused, by feature file and line.
func PrintErrors(w io.Writer, errs []ErroredScenario) {
	if len(errs) == 0 {
		return
	}
	crashed := 0
	for _, e := range errs {
		if e.Label == LabelCrashed {
			crashed++
		}
	}
	fmt.Fprintf(w, "\nFUNCTION ERRORS: the function errored in %d scenario(s), %d of them crashed (not the handler's own refusal; %s), by feature file and line:\n", len(errs), crashed, targets.RuleAnswer)
	for i, e := range errs {
		typ := e.Type
		if typ == "" {
			typ = "(type not visible: Cognito passes on only the message)"
		}
		fmt.Fprintf(w, "  %d. %s at %s: %s\n", i+1, strings.ToUpper(e.Label), strings.Join(e.Depths, ", "), termtext.Line(e.Scenario))
		if e.URI != "" {
			fmt.Fprintf(w, "     where:   %s, %s\n", termtext.Line(e.URI), termtext.Line(e.Where))
		}
		fmt.Fprintf(w, "     error:   %s: %s\n", termtext.Line(typ), termtext.Line(e.Message))
		if e.Why != "" {
			fmt.Fprintf(w, "     why:     %s\n", termtext.Line(e.Why))
		}
	}
}

// reportErrors are the records as the report package shows them.
func reportErrors(errs []ErroredScenario) []report.FunctionError {
	var out []report.FunctionError
	for _, e := range errs {
		out = append(out, report.FunctionError{Label: e.Label, Scenario: e.Scenario, URI: e.URI, Where: e.Where,
			Type: e.Type, Message: e.Message, Why: e.Why})
	}
	return out
}
