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

// Print writes the result as text: each difference once, grouped by kind,
// with its smallest example.
func (r Result) Print(w io.Writer) {
	fmt.Fprintf(w, "\nDIFF: A = %s\n      B = %s\n", r.A.Name, r.B.Name)
	fmt.Fprintf(w, "%d sign-ups compared (%d sent in all, shrinking included) in %.1fs\n", r.Cases, r.SignUps, r.Elapsed.Seconds())
	if len(r.Ignored) > 0 {
		var parts []string
		for _, k := range Kinds {
			if n := r.Ignored[k]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", k, n))
			}
		}
		fmt.Fprintf(w, "ignored, as --ignore asks: %s\n", strings.Join(parts, ", "))
	}
	if len(r.Differences) == 0 {
		fmt.Fprintln(w, "no difference: both sides decided every sign-up alike")
		return
	}
	fmt.Fprintf(w, "%d difference(s):\n", len(r.Differences))
	kind := ""
	for i, d := range r.Differences {
		if d.Kind != kind {
			kind = d.Kind
			fmt.Fprintf(w, "\n%s: %s\n", strings.ToUpper(kind), d.What())
		}
		fmt.Fprintf(w, "  %d. %s", i+1, d.Source)
		if d.Value != "" {
			fmt.Fprintf(w, ", %s", d.Value)
		}
		fmt.Fprintf(w, " (%d sign-up(s), first %s)\n", d.Count, d.First)
		fmt.Fprintf(w, "     A: %s\n     B: %s\n", d.A, d.B)
		fmt.Fprintf(w, "     smallest event (%d bytes, from %d, in %d steps); %s:\n       %s\n", len(d.ExampleJSON), d.ShrunkFrom, d.ShrinkSteps, d.Holders, d.ExampleJSON)
	}
}

// jsonReport is diff.json.
type jsonReport struct {
	SideA       sideJSON       `json:"a"`
	SideB       sideJSON       `json:"b"`
	Cases       int            `json:"cases"`
	SignUps     int            `json:"signups"`
	Seconds     float64        `json:"seconds"`
	Ignored     map[string]int `json:"ignored,omitempty"`
	Differences []Difference   `json:"differences"`
	// Status is the diff's exit status: 1 when a difference was found.
	Status int `json:"status"`
}

type sideJSON struct {
	Spec           string `json:"spec"`
	Implementation string `json:"implementation,omitempty"`
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
	rep := jsonReport{SideA: sideJSON{r.A.Name, r.A.Implementation}, SideB: sideJSON{r.B.Name, r.B.Implementation},
		Cases: r.Cases, SignUps: r.SignUps, Seconds: r.Elapsed.Seconds(), Ignored: r.Ignored, Differences: r.Differences}
	if rep.Differences == nil {
		rep.Differences = []Difference{}
	} else {
		rep.Status = 1
	}
	b, err := json.MarshalIndent(rep, "", "  ")
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
		N        int
		NewKind  bool
		What     string
		Event    string
		AString  string
		BString  string
		AnchorID string
	}
	var rows []row
	for i, d := range r.Differences {
		var pretty bytes.Buffer
		if json.Indent(&pretty, []byte(d.ExampleJSON), "", "  ") != nil {
			pretty.WriteString(d.ExampleJSON)
		}
		rows = append(rows, row{Difference: d, N: i + 1, NewKind: i == 0 || r.Differences[i-1].Kind != d.Kind, What: d.What(),
			Event: pretty.String(), AString: d.A.String(), BString: d.B.String(), AnchorID: fmt.Sprintf("difference-%d", i+1)})
	}
	return diffPage.Execute(w, struct {
		Result
		Rows []row
	}{r, rows})
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
<div class="{{if .Rows}}differs{{else}}same{{end}}" id="verdict"><b>{{len .Rows}}</b>difference(s)</div>
</div>
{{if not .Rows}}<p class="same">Both sides decided every sign-up alike.</p>{{end}}
{{range .Rows}}{{if .NewKind}}<h2 id="kind-{{.Kind}}">{{.Kind}}: {{.What}}</h2>{{end}}
<div class="difference" id="{{.AnchorID}}" data-kind="{{.Kind}}">
<h3>{{.N}}. {{.Source}}{{if .Value}}, {{.Value}}{{end}} <span class="meta">({{.Count}} sign-up(s), first {{.First}})</span></h3>
<div class="sides"><div class="side"><b>A</b>: {{.AString}}</div><div class="side"><b>B</b>: {{.BString}}</div></div>
<p>The smallest event that shows it ({{len .ExampleJSON}} bytes, shrunk from {{.ShrunkFrom}} in {{.ShrinkSteps}} steps); {{.Holders}}:</p>
<pre>{{.Event}}</pre>
</div>
{{end}}
</body>
</html>
`))
