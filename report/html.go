package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/termtext"
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
	p := page{Meta: meta}
	type key struct{ uri, name string }
	index := map[key]int{}
	failed := map[key]int{} // a failed scenario's place in p.Failures
	anchors := map[string]bool{}
	p.Verdicts = verdictRows(runs)
	p.Errors = errorViews(runs)
	for ri, r := range runs {
		p.Targets = append(p.Targets, r.Target)
		rv := runView{Target: r.Target, Implementation: text(r.Implementation), Claim: text(r.Claim)}
		for _, f := range r.Features {
			fv := featureView{Name: text(f.Name), Description: text(dedent(f.Description))}
			for _, s := range f.Elements {
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
				k := key{f.URI, s.Name}
				i, ok := index[k]
				if !ok {
					i = len(p.Matrix)
					index[k] = i
					p.Matrix = append(p.Matrix, matrixRow{Feature: text(f.Name), Scenario: text(s.Name), Cells: make([]cell, len(runs))})
				}
				checked := 0
				for _, step := range s.Steps {
					if step.Result.Status == "passed" {
						checked++
					}
				}
				v := view(r.Target, f, s, st, reason, anchors)
				p.Matrix[i].Cells[ri] = cell{st, reason, checked, len(s.Steps), v.Anchor}
				fv.Scenarios = append(fv.Scenarios, v)
				if st == Failed {
					at := failedAt{r.Target, v.Anchor}
					if j, ok := failed[k]; ok {
						p.Failures[j].Depths = append(p.Failures[j].Depths, at)
						continue
					}
					failed[k] = len(p.Failures)
					fail := failureView{Feature: fv.Name, Name: v.Name, Depths: []failedAt{at}}
					for _, step := range v.Steps {
						if step.Error != "" {
							fail.Step, fail.Error = step.Keyword+" "+step.Name, step.Error
							break
						}
					}
					p.Failures = append(p.Failures, fail)
				}
			}
			rv.Features = append(rv.Features, fv)
		}
		p.Total.Passed += rv.Passed
		p.Total.Failed += rv.Failed
		p.Total.Skipped += rv.Skipped
		p.Runs = append(p.Runs, rv)
	}
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

func view(target string, f Feature, s Scenario, st Status, reason string, taken map[string]bool) scenarioView {
	v := scenarioView{Anchor: uniqueAnchor(target+"-"+f.URI+"-"+s.Name, taken), Name: text(s.Name), Feature: text(f.Name), Status: st, Reason: text(reason)}
	var tags []string
	for _, t := range s.Tags {
		tags = append(tags, t.Name)
	}
	v.Tags = text(strings.Join(tags, " "))
	for _, step := range s.Steps {
		v.Steps = append(v.Steps, stepView{strings.TrimSpace(step.Keyword), text(step.Name), step.Result.Status, text(step.Result.Error)})
		if step.Result.Status == "failed" && v.Wrong == "" {
			v.Wrong = text(step.Result.Error)
		}
	}
	marks := flagMarks(s)
	v.EventLabel, v.ResponseLabel = "Event in", "Response out"
	event, response := s.Attachment("event.json"), s.Attachment("response.json")
	where := lambdaFlagLines
	if read := s.Attachment("admin-get-user.json"); read != nil {
		event, response = s.Attachment("signup.json"), read
		v.EventLabel, v.ResponseLabel = "SignUp request sent (Cognito builds the event from it)", "The user, as AdminGetUser read it back"
		where = poolFlagLines
	}
	v.Event = pretty(event, nil, nil)
	v.Response = pretty(response, marks, where)
	v.Refusal = text(string(s.Attachment("error.txt")))
	return v
}

// FlagsAttachment is the attachment in which the steps name the response
// flags they judged (steps.FlagsAttachment).
const FlagsAttachment = "flags.json"

// flagMarks merges what the scenario's steps judged of each flag: a flag
// any step found wrong is wrong.
func flagMarks(s Scenario) map[string]string {
	marks := map[string]string{}
	for _, b := range s.Attachments(FlagsAttachment) {
		var m map[string]string
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		for flag, v := range m {
			if marks[flag] != "wrong" && (v == "right" || v == "wrong") {
				marks[flag] = v
			}
		}
	}
	return marks
}

// lambdaFlagLines and poolFlagLines say which line of the returned JSON
// shows each flag: the flag itself in the event a function returned, and
// what it became in the user AdminGetUser read back.
var (
	lambdaFlagLines = map[string]string{"autoConfirmUser": `"autoConfirmUser"`, "autoVerifyEmail": `"autoVerifyEmail"`, "autoVerifyPhone": `"autoVerifyPhone"`}
	poolFlagLines   = map[string]string{"autoConfirmUser": `"UserStatus"`, "autoVerifyEmail": `"Name": "email_verified"`, "autoVerifyPhone": `"Name": "phone_number_verified"`}
)

// uniqueAnchor makes an id from what names a scenario, not from its
// position, so that a link survives rows being reordered.
func uniqueAnchor(s string, taken map[string]bool) string {
	a := anchor(s)
	for i := 2; taken[a]; i++ {
		a = anchor(fmt.Sprintf("%s-%d", s, i))
	}
	taken[a] = true
	return a
}

func anchor(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// text is s for the page: its lines kept, every other control character,
// bidirectional control and byte that is not UTF-8 shown as an escape
// (red team rounds 13 and 14), before html/template escapes it.
func text(s string) string {
	return termtext.Inert(s)
}

// dedent trims a feature description and the indentation Gherkin gives its
// lines, keeping the line breaks.
func dedent(s string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}

// pretty indents JSON and marks the lines that carry the flags and the
// attributes they depend on. A flag is coloured by whether the steps that
// judged it found it right or wrong, never by its value; a wrong flag that
// no line shows (a handler may leave it out) gets a line of its own, so that
// every failure about a flag marks it.
func pretty(raw []byte, marks map[string]string, where map[string]string) []line {
	if raw == nil {
		return nil
	}
	var buf bytes.Buffer
	shown := string(raw)
	if json.Indent(&buf, raw, "", "  ") == nil {
		shown = buf.String()
	}
	cut := ""
	if len(shown) > maxShown {
		cut = fmt.Sprintf("… %d more bytes not shown", len(shown)-maxShown)
		shown = strings.ToValidUTF8(shown[:maxShown], "")
	}
	shown = text(shown)
	var out []line
	seen := map[string]bool{}
	for _, l := range strings.Split(strings.TrimRight(shown, "\n"), "\n") {
		class := ""
		t := strings.TrimSpace(l)
		for _, flag := range flagNames {
			if prefix, ok := where[flag]; ok && strings.HasPrefix(t, prefix) {
				class = strings.TrimSpace("flag " + marks[flag])
				seen[flag] = true
			}
		}
		if class == "" && (strings.HasPrefix(t, `"email"`) || strings.HasPrefix(t, `"phone_number"`) || strings.HasPrefix(t, `"triggerSource"`)) {
			class = "attr"
		}
		out = append(out, line{l, class})
	}
	if cut != "" {
		out = append(out, line{cut, "cut"})
	}
	for _, flag := range flagNames {
		if marks[flag] == "wrong" && !seen[flag] {
			shown := strings.Trim(strings.TrimPrefix(where[flag], `"Name": `), `"`)
			out = append(out, line{fmt.Sprintf("(%s is not in what came back; %s is what is wrong)", shown, flag), "flag wrong"})
		}
	}
	return out
}

// flagNames are the response flags, in the order the event holds them.
var flagNames = []string{"autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone"}

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"time": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") },
	"inc":  func(n int) int { return n + 1 },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>autoconfirm conformance report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1400px;padding:1.5em;color:#1d2329;background:#fff}
h1{margin:0 0 .2em}h2{margin-top:2em;border-bottom:2px solid #e3e7eb;padding-bottom:.2em}h3{margin:1.6em 0 .4em}
.meta{color:#5a6570}
.summary{display:flex;gap:1em;margin:1em 0}.summary div{padding:.6em 1em;border-radius:6px;background:#f3f5f7}
.summary b{font-size:1.6em;display:block}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #dfe3e7;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f3f5f7}
.passed,.pass{background:#e6f6ea;color:#176b2c}.failed,.fail,.vacuous{background:#fde8e8;color:#a01919;font-weight:600}.skipped,.observable{background:#fff6db;color:#7a5b00}
.status{font-weight:600}h4 .status{white-space:nowrap}.reason{display:block;font-weight:400;font-size:12px}
tr.feature th{background:#e9edf1;font-size:13px}.count{font-weight:400;font-size:12px}
.scenario{border:1px solid #dfe3e7;border-radius:6px;margin:1em 0;padding:.6em 1em}
.scenario h4{margin:.2em 0}.tags{color:#5a6570;font-size:12px}
ol.steps{padding-left:1.4em}ol.steps li{margin:.15em 0}.kw{font-weight:600}
.err{display:block;white-space:pre-wrap;color:#a01919;font-size:12px}
.io{display:grid;grid-template-columns:1fr 1fr;gap:1em}
pre{background:#f7f8fa;border:1px solid #e3e7eb;border-radius:4px;padding:.5em;overflow:auto;max-height:32em;font-size:12px;margin:0}
pre span{display:block}.flag{font-weight:700;background:#eef0f2}.flag.right{background:#c9f0d3}.flag.wrong{background:#f9c9c9;color:#a01919}.attr{background:#e4eefc}.cut{color:#5a6570;font-style:italic}
.description{white-space:pre-line}.impl{font-family:ui-monospace,monospace;font-size:12px}
.failures li{margin:.3em 0}.failures .err{display:inline;white-space:normal}
a.cell{color:inherit;text-decoration:none;display:block}a.cell:hover{text-decoration:underline}
.back{display:none}body:has(.scenario:target) .back{display:inline}
.refusal{background:#fde8e8;border-radius:4px;padding:.4em .6em}
.wrong-here{background:#fde8e8;border-left:4px solid #a01919;padding:.4em .6em;white-space:pre-wrap}
/* A link to one scenario (report.html#its-id) shows that scenario alone. */
body:has(.scenario:target) .overview,body:has(.scenario:target) .scenario:not(:target){display:none}
</style>
</head>
<body>
<h1>autoconfirm conformance report</h1>
<p class="meta">Targets: {{range $i, $t := .Targets}}{{if $i}}, {{end}}<b>{{$t}}</b>{{end}} · Generated {{time .Meta.Generated}} · Revision <code>{{.Meta.Revision}}</code></p>
<ul class="meta" id="implementations">{{range .Runs}}<li>Under test on <b>{{.Target}}</b>: <span class="impl">{{if .Implementation}}{{.Implementation}}{{else}}not recorded{{end}}</span>{{if .Claim}}; <span class="claim">{{.Claim}}</span>{{end}}</li>{{end}}</ul>

<div class="overview">
<div class="summary" id="summary">
<div class="passed"><b>{{.Total.Passed}}</b>passed</div>
<div class="failed"><b>{{.Total.Failed}}</b>failed</div>
<div class="skipped"><b>{{.Total.Skipped}}</b>not fully checked (skipped steps)</div>
</div>
<p>A skipped step was not checked: the target cannot observe it. It never counts as a pass here.</p>
{{if .Verdicts}}
<h2 id="verdicts">Verdict per profile</h2>
<table id="verdict-table">
<thead><tr><th>Profile</th>{{range .Targets}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Verdicts}}<tr><td>{{.Profile}}</td>{{range .Cells}}<td class="status {{.Verdict}}">{{if .Verdict}}{{.Verdict}} <span class="count">({{.Accepted}} of {{.Sent}} sign-ups accepted)</span>{{end}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}
{{if .Failures}}
<h2 id="failures">Failures</h2>
<p>Each failed scenario once, with the depths that failed it.</p>
<ol class="failures">{{range .Failures}}<li><b>{{.Name}}</b> <span class="meta">({{.Feature}})</span> failed on {{range $i, $d := .Depths}}{{if $i}}, {{end}}<a href="#{{$d.Anchor}}">{{$d.Target}}</a>{{end}}{{if .Step}}: {{.Step}} <span class="err">{{.Error}}</span>{{end}}</li>{{end}}</ol>
{{end}}
{{if .Errors}}
<h2 id="function-errors">Function errors</h2>
<p>Every scenario in which the function errored, pass or fail, by feature file and line. <b>crashed</b>: not the handler's own refusal (an AWS SDK exception, a language runtime error, Lambda's Runtime.*, Sandbox.* or Function.* type), even where the profile allows a refusal; <b>errored</b>: the depth cannot see the error's type (Cognito passes on only the message).</p>
<table id="function-error-table">
<thead><tr><th></th><th>Depth</th><th>Scenario</th><th>Where</th><th>Error</th></tr></thead>
<tbody>{{range .Errors}}<tr class="{{.Label}}"><td class="status {{if eq .Label "crashed"}}failed{{else}}skipped{{end}}">{{.Label}}</td><td>{{.Target}}</td><td>{{.Scenario}}</td><td>{{.Place}}</td><td><code>{{.Type}}</code>: <span class="err">{{.Message}}</span>{{if .Why}}<br><span class="meta">{{.Why}}</span>{{end}}</td></tr>
{{end}}</tbody>
</table>
{{end}}
<h2>Conformance matrix</h2>
<table id="matrix">
<thead><tr><th>Scenario</th>{{range .Targets}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{$n := len .Targets}}{{range .Matrix}}{{if .NewFeature}}<tr class="feature"><th colspan="{{inc $n}}">{{.Feature}}</th></tr>
{{end}}<tr class="scenario-row" data-feature="{{.Feature}}"><td>{{.Scenario}}</td>{{range .Cells}}<td class="status {{.Status}}" data-status="{{.Status}}">{{if .Anchor}}<a class="cell" href="#{{.Anchor}}">{{end}}{{.Status}}{{if .Steps}} <span class="count">({{.Checked}} of {{.Steps}} steps checked)</span>{{end}}{{if .Anchor}}</a>{{end}}{{if .Reason}}<span class="reason">{{.Reason}}</span>{{end}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</div>

{{range .Runs}}{{$target := .Target}}
<h2 class="overview" id="target-{{.Target}}">Target {{.Target}}: {{.Passed}} passed, {{.Failed}} failed, {{.Skipped}} not fully checked</h2>
{{range .Features}}
<h3 class="overview">{{.Name}}</h3>
{{if .Description}}<p class="meta overview description">{{.Description}}</p>{{end}}
{{range .Scenarios}}
<div class="scenario" id="{{.Anchor}}" data-target="{{$target}}" data-scenario="{{.Name}}" data-status="{{.Status}}">
<p class="back"><a href="#matrix">← back to the whole report</a></p>
<h4><span class="status {{.Status}}">{{.Status}}</span> {{.Name}} <a href="#{{.Anchor}}" title="link to this scenario alone">¶</a></h4>
<p class="meta">Feature: {{.Feature}} · Target {{$target}}</p>
{{if .Tags}}<div class="tags">{{.Tags}}</div>{{end}}
{{if .Reason}}<p class="skipped">Not fully checked on {{$target}}: {{.Reason}}</p>{{end}}
<ol class="steps">{{range .Steps}}<li class="{{.Status}}"><span class="kw">{{.Keyword}}</span> {{.Name}} <i>({{.Status}})</i>{{if .Error}}<span class="err">{{.Error}}</span>{{end}}</li>{{end}}</ol>
{{if .Wrong}}<p class="wrong-here" id="{{.Anchor}}-wrong"><b>What is wrong:</b> {{.Wrong}}</p>{{end}}
{{if or .Event .Response .Refusal}}
<div class="io">
<div><b>{{.EventLabel}}</b><pre>{{range .Event}}<span class="{{.Class}}">{{.Text}}</span>{{end}}</pre></div>
<div>{{if .Refusal}}<b>Refused</b><p class="refusal">{{.Refusal}}</p>{{else}}<b>{{.ResponseLabel}}</b><pre>{{range .Response}}<span class="{{.Class}}">{{.Text}}</span>{{else}}<span class="cut">this target cannot see the returned event</span>{{end}}</pre>{{end}}</div>
</div>
{{end}}
</div>
{{end}}{{end}}{{end}}
</body>
</html>
`))

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
