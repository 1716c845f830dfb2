package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// The files a differential run writes into its report directory.
const (
	TextFile = "diff.txt"
	JSONFile = "diff.json"
	HTMLFile = "diff.html"
)

// What says, for a difference's kind, what differs.
func (d Difference) What() string {
	switch d.Kind {
	case "outcome":
		return "one side accepts the sign-up, the other refuses it"
	case "refusal-text":
		return "both refuse, with different words"
	case "failure":
		return "one side fails the sign-up (a crash, a timeout or an answer Cognito cannot read)"
	}
	return d.Kind + " differs"
}

// Print writes the result as text: the sides that decide at random, then
// each difference once, grouped by harm, most harmful first, with its
// smallest example.
func (r Result) Print(w io.Writer) { r.Report().Print(w) }

// Print writes the report as text, as Result.Print does.
func (rep Report) Print(w io.Writer) {
	fmt.Fprintf(w, "\nDIFF: A = %s\n      B = %s\n", rep.SideA.Spec, rep.SideB.Spec)
	fmt.Fprintf(w, "%d sign-ups compared (%d sent in all, shrinking and sending again included) in %.1fs\n", rep.Cases, rep.SignUps, rep.Seconds)
	if s := rep.ignored(); s != "" {
		fmt.Fprintf(w, "ignored, as --ignore asks: %s\n", s)
	}
	if rep.Status == 0 {
		fmt.Fprintln(w, "no difference: both sides decided every sign-up alike")
		return
	}
	if len(rep.Nondeterministic) > 0 {
		fmt.Fprintf(w, "\nNONDETERMINISTIC: %s\n", rep.nondeterminismHeading())
		for _, n := range rep.Nondeterministic {
			fmt.Fprintf(w, "  %s (%s) decided %d sign-up(s) two ways when sent again, first %s:\n", n.Side, n.Spec, n.Events, n.First)
			fmt.Fprintf(w, "     first: %s\n     then:  %s\n     the event; %s:\n       %s\n", n.Decisions[0], n.Decisions[1], n.Holders, n.ExampleJSON)
		}
	}
	if len(rep.Differences) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d difference(s), most harmful first:\n", len(rep.Differences))
	n := 0
	for _, g := range byCategory(rep.Differences) {
		fmt.Fprintf(w, "\n[%d] %s, %d difference(s): %s\n", g[0].Rank, strings.ToUpper(string(g[0].Category)), len(g), g[0].Category.Heading())
		for _, d := range g {
			n++
			fmt.Fprintf(w, "  %d. %s: %s", n, d.Kind, d.Source)
			if d.Value != "" {
				fmt.Fprintf(w, ", %s", d.Value)
			}
			fmt.Fprintf(w, " (%d sign-up(s), first %s)\n", d.Count, d.First)
			if d.Harm != "" {
				fmt.Fprintf(w, "     why: %s\n", d.Harm)
			}
			fmt.Fprintf(w, "     A: %s\n     B: %s\n", d.A, d.B)
			fmt.Fprintf(w, "     smallest event (%d bytes, from %d, in %d steps); %s:\n       %s\n", len(d.ExampleJSON), d.ShrunkFrom, d.ShrinkSteps, d.Holders, d.ExampleJSON)
		}
	}
}

// nondeterminismHeading is the one-line heading of the sides that decide
// at random.
func (rep Report) nondeterminismHeading() string {
	s := "a side decided the same sign-up two ways on two sends, so its decisions cannot be compared; make it decide from the event and the pool alone"
	if rep.Folded > 0 {
		s += fmt.Sprintf(" (%d difference(s) of what it decides two ways are not listed)", rep.Folded)
	}
	return s
}

// ignored says how many differences of each kind --ignore left out.
func (rep Report) ignored() string {
	var parts []string
	for _, k := range Kinds {
		if n := rep.Ignored[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	return strings.Join(parts, ", ")
}

// byCategory splits ranked differences into their categories' groups.
func byCategory(ds []Difference) [][]Difference {
	var out [][]Difference
	for i, d := range ds {
		if i == 0 || d.Category != ds[i-1].Category {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], d)
	}
	return out
}

// Report is diff.json: what a run found, as text, Markdown and a page
// show it.
type Report struct {
	SideA            sideJSON         `json:"a"`
	SideB            sideJSON         `json:"b"`
	Cases            int              `json:"cases"`
	SignUps          int              `json:"signups"`
	Seconds          float64          `json:"seconds"`
	Ignored          map[string]int   `json:"ignored,omitempty"`
	Nondeterministic []Nondeterminism `json:"nondeterministic"`
	Folded           int              `json:"folded,omitempty"`
	// Differences are ranked: by category (see Categories), then kind.
	Differences []Difference `json:"differences"`
	// Status is the diff's exit status: 1 when a difference or a side
	// that decides at random was found.
	Status int `json:"status"`
}

type sideJSON struct {
	Spec           string `json:"spec"`
	Implementation string `json:"implementation,omitempty"`
}

// Report is the result as diff.json holds it.
func (r Result) Report() Report {
	rep := Report{SideA: sideJSON{r.A.Name, r.A.Implementation}, SideB: sideJSON{r.B.Name, r.B.Implementation},
		Cases: r.Cases, SignUps: r.SignUps, Seconds: r.Elapsed.Seconds(), Ignored: r.Ignored,
		Nondeterministic: r.Nondeterministic, Folded: r.Folded, Differences: r.Differences}
	if rep.Differences == nil {
		rep.Differences = []Difference{}
	}
	if rep.Nondeterministic == nil {
		rep.Nondeterministic = []Nondeterminism{}
	}
	if r.Failed() {
		rep.Status = 1
	}
	return rep
}

// ReadReport reads the diff.json a diff wrote into dir.
func ReadReport(dir string) (Report, error) {
	var rep Report
	path := filepath.Join(dir, JSONFile)
	b, err := bounded.ReadFile(path, bounded.Record, "this runner's limit on a diff.json (docs/cognito-rules.md §17); give the directory a diff wrote")
	if err != nil {
		return rep, fmt.Errorf("%s is not a diff's report directory: %w", dir, err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return rep, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// IsReportDir says whether dir holds a diff's diff.json.
func IsReportDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, JSONFile))
	return err == nil
}

// Write writes diff.txt, diff.html and, last, diff.json into dir, with
// the diff's exit status: diff.json is written only once the others are,
// and each failure names its file.
func (r Result) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var text, page bytes.Buffer
	r.Print(&text)
	if err := r.HTML(&page); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r.Report(), "", "  ")
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		b    []byte
	}{{TextFile, text.Bytes()}, {HTMLFile, page.Bytes()}, {JSONFile, b}} {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.b, 0o644); err != nil {
			return fmt.Errorf("the report %s could not be written: %w", filepath.Join(dir, f.name), err)
		}
	}
	return nil
}

// HTML writes one self-contained page: no scripts, nothing fetched.
func (r Result) HTML(w io.Writer) error {
	type row struct {
		Difference
		N           int
		NewCategory bool
		Heading     string
		Title       string
		Size        int
		What        string
		Event       string
		AString     string
		BString     string
		AnchorID    string
	}
	var rows []row
	for i, d := range r.Differences {
		var pretty bytes.Buffer
		if json.Indent(&pretty, []byte(d.ExampleJSON), "", "  ") != nil {
			pretty.WriteString(d.ExampleJSON)
		}
		newCat := i == 0 || r.Differences[i-1].Category != d.Category
		size := 0
		for _, e := range r.Differences {
			if e.Category == d.Category {
				size++
			}
		}
		rows = append(rows, row{Difference: d, N: i + 1, NewCategory: newCat, Heading: d.Category.Heading(), Title: strings.ToUpper(string(d.Category)), Size: size, What: d.What(),
			Event: pretty.String(), AString: d.A.String(), BString: d.B.String(), AnchorID: fmt.Sprintf("difference-%d", i+1)})
	}
	return diffPage.Execute(w, struct {
		Result
		Rows                 []row
		NondeterminismHeader string
	}{r, rows, r.Report().nondeterminismHeading()})
}

var diffPage = template.Must(template.New("diff").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>autoconfirm diff</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1400px;padding:1.5em;color:#1d2329;background:#fff}
h1{margin:0 0 .2em}h2{margin-top:2em;border-bottom:2px solid #e3e7eb;padding-bottom:.2em}
.meta{color:#5a6570}.impl{font-family:ui-monospace,monospace;font-size:12px}
.summary{display:flex;gap:1em;margin:1em 0}.summary div{padding:.6em 1em;border-radius:6px;background:#f3f5f7}.summary b{font-size:1.6em;display:block}
.same{background:#e6f6ea;color:#176b2c}.differs{background:#fde8e8;color:#a01919}
.difference{border:1px solid #dfe3e7;border-radius:6px;margin:1em 0;padding:.6em 1em}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1em}.side{padding:.4em .6em;border-radius:4px;background:#f7f8fa}
pre{background:#f7f8fa;border:1px solid #e3e7eb;border-radius:4px;padding:.5em;overflow:auto;max-height:32em;font-size:12px;margin:0}
</style>
</head>
<body>
<h1>autoconfirm diff</h1>
<ul class="meta">
<li>A: <b>{{.A.Name}}</b>{{if .A.Implementation}} <span class="impl">{{.A.Implementation}}</span>{{end}}</li>
<li>B: <b>{{.B.Name}}</b>{{if .B.Implementation}} <span class="impl">{{.B.Implementation}}</span>{{end}}</li>
</ul>
<div class="summary">
<div><b>{{.Cases}}</b>sign-ups compared</div>
<div class="{{if .Failed}}differs{{else}}same{{end}}" id="verdict"><b>{{len .Rows}}</b>difference(s)</div>
</div>
{{if not .Failed}}<p class="same">Both sides decided every sign-up alike.</p>{{end}}
{{if .Nondeterministic}}<h2 id="nondeterministic">Nondeterministic: {{.NondeterminismHeader}}</h2>
{{range .Nondeterministic}}<div class="nondeterministic difference" data-side="{{.Side}}">
<h3>{{.Side}} <span class="impl">{{.Spec}}</span> decided {{.Events}} sign-up(s) two ways when sent again, first {{.First}}</h3>
<div class="sides"><div class="side"><b>first</b>: {{index .Decisions 0}}</div><div class="side"><b>then</b>: {{index .Decisions 1}}</div></div>
<p>The event; {{.Holders}}:</p>
<pre>{{.ExampleJSON}}</pre>
</div>
{{end}}{{end}}
{{range .Rows}}{{if .NewCategory}}<h2 id="category-{{.Category}}" class="category">[{{.Rank}}] {{.Title}}, {{.Size}} difference(s): {{.Heading}}</h2>{{end}}
<div class="difference" id="{{.AnchorID}}" data-kind="{{.Kind}}" data-category="{{.Category}}">
<h3>{{.N}}. {{.Kind}}: {{.Source}}{{if .Value}}, {{.Value}}{{end}} <span class="meta">({{.Count}} sign-up(s), first {{.First}})</span></h3>
<p class="meta">{{.What}}{{if .Harm}}. Why: {{.Harm}}{{end}}</p>
<div class="sides"><div class="side"><b>A</b>: {{.AString}}</div><div class="side"><b>B</b>: {{.BString}}</div></div>
<p>The smallest event that shows it ({{len .ExampleJSON}} bytes, shrunk from {{.ShrunkFrom}} in {{.ShrinkSteps}} steps); {{.Holders}}:</p>
<pre>{{.Event}}</pre>
</div>
{{end}}
</body>
</html>
`))
