package report

import (
	_ "embed"
	"html/template"
	"io"
	"time"
)

// Run is one target's results.
type Run struct {
	Target   string
	Features []Feature
	// Skips maps a scenario name to why steps were skipped.
	Skips map[string]string
	// Implementation names what was tested: a bootstrap's path and sha256,
	// a function and its version, or the handler in process.
	Implementation string
	// Claim says which profiles the run judged, and what it left out as not
	// claimed.
	Claim string
	// Verdicts has one row per claimed profile.
	Verdicts []Verdict
	// Errors are the scenarios in which the function errored, crashed or
	// refused, by feature file and line.
	Errors []FunctionError
}

// Verdict is one profile's outcome in one run: pass, fail, vacuous or not
// observable, with the sign-ups the handler accepted.
type Verdict struct {
	Profile, Verdict string
	Accepted, Sent   int
	// Failed counts the profile's failed scenarios.
	Failed int
}

// verdictRow is one profile across the runs.
type verdictRow struct {
	Profile string
	Cells   []Verdict
}

// Meta describes the report as a whole.
type Meta struct {
	Revision  string
	Generated time.Time
}

// maxShown bounds how much of an event the page shows.
const maxShown = 16 << 10

type line struct {
	Text, Class string
}

type cell struct {
	Status         Status
	Reason         string
	Checked, Steps int
	Anchor         string
}

type matrixRow struct {
	Feature, Scenario string
	NewFeature        bool // first row of its feature
	Cells             []cell
}

type stepView struct {
	Keyword, Name, Status, Error string
}

type scenarioView struct {
	Anchor, Name, Tags string
	Feature            string
	Status             Status
	Reason             string
	Steps              []stepView
	Event, Response    []line
	// EventLabel and ResponseLabel say what Event and Response are: the
	// event sent and the one returned, or, for a pool, the SignUp request and
	// the user AdminGetUser read back.
	EventLabel, ResponseLabel string
	Refusal                   string
	// Wrong is what the first failed step said, shown beside the response.
	Wrong string
}

// failureView is one failed scenario, once, with the depths that failed
// it; Step and Error are the first depth's.
type failureView struct {
	Feature, Name, Step, Error string
	Depths                     []failedAt
}

type failedAt struct{ Target, Anchor string }

type featureView struct {
	Name, Description string
	Scenarios         []scenarioView
}

type runView struct {
	Target                  string
	Implementation, Claim   string
	Passed, Failed, Skipped int
	Features                []featureView
}

type page struct {
	Meta     Meta
	Targets  []string
	Verdicts []verdictRow
	Runs     []runView
	Matrix   []matrixRow
	Failures []failureView
	Errors   []errorView
	Total    struct{ Passed, Failed, Skipped int }
}

// WriteHTML writes a single self-contained HTML page: no scripts, styles
// inline, nothing fetched. Every text from a feature or fixture goes through
// html/template's escaping.
func WriteHTML(w io.Writer, meta Meta, runs []Run) error {
	b := pageBuilder{p: page{Meta: meta}, index: map[scenarioKey]int{}, failed: map[scenarioKey]int{}, anchors: map[string]bool{}, runs: len(runs)}
	b.p.Verdicts = verdictRows(runs)
	b.p.Errors = errorViews(runs)
	for ri, r := range runs {
		b.p.Targets = append(b.p.Targets, r.Target)
		rv := runView{Target: r.Target, Implementation: text(r.Implementation), Claim: text(r.Claim)}
		for _, f := range r.Features {
			fv := featureView{Name: text(f.Name), Description: text(dedent(f.Description))}
			for _, s := range f.Elements {
				fv.Scenarios = append(fv.Scenarios, b.scenario(ri, r, f, s, &rv))
			}
			rv.Features = append(rv.Features, fv)
		}
		b.p.Total.Passed += rv.Passed
		b.p.Total.Failed += rv.Failed
		b.p.Total.Skipped += rv.Skipped
		b.p.Runs = append(b.p.Runs, rv)
	}
	p := b.p
	for i := range p.Matrix {
		p.Matrix[i].NewFeature = i == 0 || p.Matrix[i-1].Feature != p.Matrix[i].Feature
		for j, c := range p.Matrix[i].Cells {
			if c.Status == "" {
				p.Matrix[i].Cells[j] = cell{Status: "not run", Reason: "not selected for this target"}
			}
		}
	}
	return tmpl.Execute(w, p)
}

// scenarioKey names a scenario across runs.
type scenarioKey struct{ uri, name string }

// pageBuilder builds the page one scenario at a time: its row in the
// matrix, by scenarioKey, and, failed, its entry in the failure list.
type pageBuilder struct {
	p       page
	index   map[scenarioKey]int
	failed  map[scenarioKey]int // a failed scenario's place in p.Failures
	anchors map[string]bool
	runs    int
}

// scenario counts one scenario of run ri in rv, puts it in the matrix and
// the failures, and returns its view.
func (b *pageBuilder) scenario(ri int, r Run, f Feature, s Scenario, rv *runView) scenarioView {
	st := s.Status()
	reason := ""
	if st == Skipped {
		reason = r.Skips[s.Name]
	}
	switch st {
	case Passed:
		rv.Passed++
	case Failed:
		rv.Failed++
	default:
		rv.Skipped++
	}
	k := scenarioKey{f.URI, s.Name}
	i, ok := b.index[k]
	if !ok {
		i = len(b.p.Matrix)
		b.index[k] = i
		b.p.Matrix = append(b.p.Matrix, matrixRow{Feature: text(f.Name), Scenario: text(s.Name), Cells: make([]cell, b.runs)})
	}
	checked := 0
	for _, step := range s.Steps {
		if step.Result.Status == "passed" {
			checked++
		}
	}
	v := view(r.Target, f, s, st, reason, b.anchors)
	b.p.Matrix[i].Cells[ri] = cell{st, reason, checked, len(s.Steps), v.Anchor}
	if st == Failed {
		b.failure(k, r.Target, text(f.Name), v)
	}
	return v
}

// failure lists a failed scenario once, with every run that failed it.
func (b *pageBuilder) failure(k scenarioKey, target, feature string, v scenarioView) {
	at := failedAt{target, v.Anchor}
	if j, ok := b.failed[k]; ok {
		b.p.Failures[j].Depths = append(b.p.Failures[j].Depths, at)
		return
	}
	b.failed[k] = len(b.p.Failures)
	fail := failureView{Feature: feature, Name: v.Name, Depths: []failedAt{at}}
	for _, step := range v.Steps {
		if step.Error != "" {
			fail.Step, fail.Error = step.Keyword+" "+step.Name, step.Error
			break
		}
	}
	b.p.Failures = append(b.p.Failures, fail)
}

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"time": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") },
	"inc":  func(n int) int { return n + 1 },
}).Parse(reportTemplate))

// reportTemplate is the HTML page, kept as a file of its own.
//
//go:embed report.html.tmpl
var reportTemplate string

// verdictRows lays the runs' verdicts out one row per profile, in the order
// the runs name them.
func verdictRows(runs []Run) []verdictRow {
	var rows []verdictRow
	at := map[string]int{}
	for ri, r := range runs {
		for _, v := range r.Verdicts {
			i, ok := at[v.Profile]
			if !ok {
				i = len(rows)
				at[v.Profile] = i
				rows = append(rows, verdictRow{Profile: v.Profile, Cells: make([]Verdict, len(runs))})
			}
			rows[i].Cells[ri] = v
		}
	}
	return rows
}
