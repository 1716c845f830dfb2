package conformance

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/autoconfirm/autoconfirm/internal/termtext"
	"github.com/autoconfirm/autoconfirm/steps"
)

// FailedScenario is one failed scenario, once, with the depths that failed
// it. Step and Error are what the first of them said; Elsewhere holds what
// another depth said when it differs.
type FailedScenario struct {
	Scenario  string         `json:"scenario"`
	URI       string         `json:"uri"`
	Where     string         `json:"where"`
	Fixture   string         `json:"fixture,omitempty"`
	Depths    []string       `json:"depths"`
	Step      string         `json:"step,omitempty"`
	Error     string         `json:"error"`
	Elsewhere []DepthFailure `json:"elsewhere,omitempty"`
}

// DepthFailure is what one depth said of a failed scenario.
type DepthFailure struct {
	Depth string `json:"depth"`
	Step  string `json:"step,omitempty"`
	Error string `json:"error"`
}

// failedScenarios turns one depth's failures into records, placed in the
// features by where (see places).
func failedScenarios(depth string, failures []steps.Failure, where map[string]string) []FailedScenario {
	var out []FailedScenario
	for _, f := range failures {
		var loc []string
		for _, id := range f.AstNodeIDs {
			if p, ok := where[id]; ok {
				loc = append(loc, p)
			}
		}
		out = append(out, FailedScenario{Scenario: f.Scenario, URI: f.URI, Where: strings.Join(loc, ", "),
			Fixture: f.Fixture, Depths: []string{depth}, Step: f.Step, Error: f.Error})
	}
	return out
}

// mergeFailures lists each scenario once, with every depth that failed it;
// sortFailures then puts them in order of feature file and line.
func mergeFailures(lists ...[]FailedScenario) []FailedScenario {
	return mergeOnce(lists, func(f FailedScenario) [3]string { return [3]string{f.URI, f.Where, f.Scenario} },
		func(m *FailedScenario, f FailedScenario) {
			for _, d := range f.Depths {
				if slices.Contains(m.Depths, d) {
					continue
				}
				m.Depths = append(m.Depths, d)
				if f.Step != m.Step || f.Error != m.Error {
					m.Elsewhere = append(m.Elsewhere, DepthFailure{Depth: d, Step: f.Step, Error: f.Error})
				}
			}
		})
}

// mergeOnce lists each item of lists once by its key, in first-seen order;
// fold merges a later item with the same key into the first.
func mergeOnce[T any](lists [][]T, key func(T) [3]string, fold func(into *T, from T)) []T {
	var out []T
	at := map[[3]string]int{}
	for _, list := range lists {
		for _, e := range list {
			if i, ok := at[key(e)]; ok {
				fold(&out[i], e)
				continue
			}
			at[key(e)] = len(out)
			out = append(out, e)
		}
	}
	return out
}

// Depths is one handler judged at several depths: one verdict per claimed
// profile across them, and each failed scenario once.
type Depths struct {
	Target   string           `json:"target"`
	Names    []string         `json:"depths"`
	Verdicts []DepthsVerdict  `json:"verdicts"`
	Failures []FailedScenario `json:"failures"`
	// Errors lists each scenario in which the function errored, once, with
	// the depths where it did.
	Errors []ErroredScenario `json:"function_errors"`
	// Controls is what became of the control sign-up, by depth.
	Controls map[string]string `json:"controls"`
	// Blind names the depths that could judge none of the profiles.
	Blind []string `json:"blind,omitempty"`
	// Pool names the pool's shape; NotApplicable the scenarios it left
	// out at any depth, with why (rules §9).
	Pool          string            `json:"pool,omitempty"`
	NotApplicable map[string]string `json:"not_applicable,omitempty"`
	// Status is the run's exit status, recorded once it is final; nil in
	// a record from before runs recorded it. Notes say why the run failed
	// beyond its verdicts, such as a test user left in the pool.
	Status *int     `json:"status,omitempty"`
	Notes  []string `json:"notes,omitempty"`
	// Sandbox says whether local ran the handler in a sandbox shaped like
	// Lambda's ("sandboxed …"), or why not ("not sandboxed: …").
	Sandbox string `json:"sandbox,omitempty"`
	// Language is the handler's, when the run knows its runtime: the fixes
	// link to examples in it. FlagsSet counts, per response flag, the
	// accepted answers that set it at every depth; nil when a depth's
	// record does not count them.
	Language Language       `json:"language,omitempty"`
	FlagsSet map[string]int `json:"flags_set,omitempty"`
}

// Advice is what the failure list needs to say how to fix each failure.
func (d Depths) Advice() Advice {
	var claimed []string
	for _, v := range d.Verdicts {
		claimed = append(claimed, v.Profile)
	}
	return Advice{Language: d.Language, Ref: SourceRef(), Claimed: claimed, FlagsSet: d.FlagsSet}
}

// addFlags sums a depth's count of the flags its answers set; a depth
// that did not count them makes the sum unknown.
func (d *Depths) addFlags(first bool, rec Record) {
	if rec.FlagsSet == nil || (!first && d.FlagsSet == nil) {
		d.FlagsSet = nil
		return
	}
	if first {
		d.FlagsSet = map[string]int{}
	}
	for k, v := range rec.FlagsSet {
		d.FlagsSet[k] += v
	}
}

// DepthsVerdict is one profile's verdict across depths, and at each.
type DepthsVerdict struct {
	Profile string            `json:"profile"`
	Verdict string            `json:"verdict"`
	At      map[string]string `json:"at"`
}

// JudgeDepths judges each profile at the depths, named by names, whose
// records recs holds, in that order: the one place verdicts are combined.
func JudgeDepths(target string, names []string, recs []Record) Depths {
	d := Depths{Target: target, Names: names, Controls: map[string]string{}}
	var order []string
	at := map[string]map[string]string{}
	var lists [][]FailedScenario
	var errs [][]ErroredScenario
	for i, name := range names {
		rec := recs[i]
		rec.Failures = slices.Clone(rec.Failures)
		rec.FunctionErrors = slices.Clone(rec.FunctionErrors)
		blind := true
		for _, v := range rec.Verdicts {
			if at[v.Profile] == nil {
				at[v.Profile] = map[string]string{}
				order = append(order, v.Profile)
			}
			at[v.Profile][name] = v.Verdict
			blind = blind && v.Verdict == "not observable"
		}
		if blind {
			d.Blind = append(d.Blind, name)
		}
		d.Controls[name] = rec.Control
		d.addPool(rec)
		d.addFlags(i == 0, rec)
		for i := range rec.Failures { // a directory is one depth, named here
			rec.Failures[i].Depths = []string{name}
		}
		lists = append(lists, rec.Failures)
		for i := range rec.FunctionErrors {
			rec.FunctionErrors[i].Depths = []string{name}
		}
		errs = append(errs, rec.FunctionErrors)
	}
	for _, p := range order {
		var vs []string
		for _, name := range names {
			vs = append(vs, at[p][name])
		}
		d.Verdicts = append(d.Verdicts, DepthsVerdict{Profile: p, Verdict: combinedVerdict(vs...), At: at[p]})
	}
	d.Failures = sortFailures(mergeFailures(lists...))
	d.Errors = sortErrors(mergeErrors(errs...))
	return d
}

// combinedVerdict is a profile's verdict from its depths': the worst of
// fail, vacuous and pass; not observable when no depth could judge it.
func combinedVerdict(vs ...string) string {
	for _, want := range []string{"fail", "vacuous", "pass", steps.NotApplicableVerdict} {
		if slices.Contains(vs, want) {
			return want
		}
	}
	return "not observable"
}

// Judge is the status of a run at the depths d judges, each of which
// exited with statuses[name]: a depth whose run failed although every
// profile was beyond its sight is excused; any other failing depth fails
// the run, noted, as does a profile that failed where it was observed.
func (d *Depths) Judge(statuses map[string]int) int {
	status := ExitPass
	for _, name := range d.Names {
		if code := statuses[name]; code != ExitPass && !slices.Contains(d.Blind, name) {
			status = ExitFailed
			d.Notes = append(d.Notes, fmt.Sprintf("the %s depth exited %d", name, code))
		}
	}
	if !d.Passed() {
		status = ExitFailed
	}
	return status
}

// Judged says whether some depth could judge some profile.
func (d Depths) Judged() bool {
	for _, v := range d.Verdicts {
		if v.Verdict != "not observable" {
			return true
		}
	}
	return false
}

// Passed says whether every profile passed where it could be observed,
// and some profile was judged.
func (d Depths) Passed() bool {
	judged := false
	for _, v := range d.Verdicts {
		switch v.Verdict {
		case "pass":
			judged = true
		case "not observable", steps.NotApplicableVerdict:
		default:
			return false
		}
	}
	return judged
}

// Print writes the verdict table, one row per claimed profile with a
// column per depth, the failed scenarios, each once, and the control.
func (d Depths) Print(w io.Writer) {
	d.printTable(w)
	d.printPool(w)
	if d.Sandbox != "" {
		fmt.Fprintf(w, "  handler: %s\n", d.Sandbox)
	}
	PrintFailures(w, d.Failures, d.Advice())
	PrintErrors(w, d.Errors)
	var controls []string
	for _, n := range d.Names {
		controls = append(controls, n+" "+termtext.Line(d.Controls[n]))
	}
	fmt.Fprintf(w, "\nCONTROL: an ordinary PreSignUp_SignUp (%s, nothing held), judged only for acceptance: %s\n", steps.FixturePath(steps.ControlFixture), strings.Join(controls, ", "))
}

// printTable writes the verdict table, one row per claimed profile with a
// column per depth.
func (d Depths) printTable(w io.Writer) {
	fmt.Fprintf(w, "\nVERDICT, %s, one row per claimed profile:\n  %-14s", strings.Join(d.Names, " and "), "profile")
	for _, n := range d.Names {
		fmt.Fprintf(w, " %-15s", n)
	}
	fmt.Fprintln(w, " verdict")
	for _, v := range d.Verdicts {
		fmt.Fprintf(w, "  %-14s", v.Profile)
		for _, n := range d.Names {
			fmt.Fprintf(w, " %-15s", v.At[n])
		}
		fmt.Fprintf(w, " %s\n", v.Verdict)
	}
}
