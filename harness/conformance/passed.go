package conformance

import (
	"fmt"
	"io"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/internal/termtext"
	"github.com/autoconfirm/autoconfirm/steps"
)

// PrintPassed writes a passing run's verdict in a few lines: the verdict
// table, one line for the scenarios the pool's shape left out, one line per
// crash (and per function error whose type no depth saw), one line counting
// the handler's own refusals, and the control. run.json and report.html
// keep every detail; Print writes them all, as a failing run needs.
func (d Depths) PrintPassed(w io.Writer) {
	d.printTable(w)
	if n := len(d.NotApplicable); n > 0 {
		fmt.Fprintf(w, "  NOT APPLICABLE TO THIS POOL (%s): %d scenario(s) send a sign-up this pool refuses before its trigger runs (rules §9), so they were not run; run.json and report.html name them\n", d.Pool, n)
	}
	printErrorLines(w, d.Errors)
	var controls []string
	for _, n := range d.Names {
		controls = append(controls, n+" "+termtext.Line(d.Controls[n]))
	}
	fmt.Fprintf(w, "CONTROL: an ordinary PreSignUp_SignUp (%s, nothing held), judged only for acceptance: %s\n", steps.FixturePath(steps.ControlFixture), strings.Join(controls, ", "))
}

// printErrorLines lists, one line each, the scenarios in which the function
// crashed or errored with a type no depth saw, and counts the refusals,
// which the claimed profiles allowed.
func printErrorLines(w io.Writer, errs []ErroredScenario) {
	var shown []ErroredScenario
	refused := 0
	for _, e := range errs {
		if e.Label == LabelRefused {
			refused++
			continue
		}
		shown = append(shown, e)
	}
	if len(shown) > 0 {
		fmt.Fprintf(w, "\nFUNCTION ERRORS: the function crashed in %d scenario(s) whose profiles let the sign-up fail (a crash is not the handler's own refusal; %s), each once:\n", len(shown), targets.RuleAnswer)
	}
	for i, e := range shown {
		fmt.Fprintf(w, "  %d. %s at %s: %s: %s\n", i+1, strings.ToUpper(e.Label), strings.Join(e.Depths, ", "), e.Scenario, errorLine(e))
	}
	if refused > 0 {
		fmt.Fprintf(w, "REFUSED: the handler refused the sign-up with an error of its own in %d scenario(s), which their profiles allow; report.html lists them\n", refused)
	}
}

// errorLine is a function error's type, message, why it is a crash and
// where its scenario is, on one line.
func errorLine(e ErroredScenario) string {
	typ := e.Type
	if typ == "" {
		typ = "(type not visible: Cognito passes on only the message)"
	}
	s := termtext.Line(typ) + ": " + termtext.Line(strings.Join(strings.Fields(e.Message), " "))
	var about []string
	if e.Why != "" {
		about = append(about, e.Why)
	}
	if e.URI != "" {
		uri, line := placeOf(e.URI, e.Where)
		about = append(about, fmt.Sprintf("%s:%d", uri, line))
	}
	if len(about) > 0 {
		s += " (" + strings.Join(about, "; ") + ")"
	}
	return s
}
