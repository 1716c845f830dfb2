package conformance

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/report"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// blind is the in-process target without sight of the lookups, so that the
// steps about them skip, as they do on a live target.
type blind struct{ *targets.InProcess }

func (blind) Name() string { return "blind" }

func (b blind) Run(ctx context.Context, in *targets.Input) (*targets.Observation, error) {
	obs, err := b.InProcess.Run(ctx, in)
	if obs != nil {
		obs.Lookups = nil
	}
	return obs, err
}

func run(t *testing.T, target targets.Target, tags string) (string, Result) {
	t.Helper()
	dir := t.TempDir()
	res := Run(context.Background(), Options{Target: target, Content: autoconfirm.Content(), Format: "progress", Tags: tags,
		Concurrency: 4, Output: io.Discard, NoColors: true, ReportDir: dir})
	return dir, res
}

// TestReportsMatchCucumber writes the reports of two runs, one with skips,
// parses the HTML page as a browser would and checks that every scenario of
// the cucumber JSON is there with the same status, and that JUnit reports the
// skipped scenarios as skipped.
func TestReportsMatchCucumber(t *testing.T) {
	full, res := run(t, targets.NewInProcess(), "")
	if res.Status != ExitPass {
		t.Fatalf("in-process run failed: %d", res.Status)
	}
	partial, res := run(t, blind{targets.NewInProcess()}, "@alias")
	if res.Status != ExitPass || len(res.Skips) == 0 {
		t.Fatalf("blind run: status %d, %d skips", res.Status, len(res.Skips))
	}
	out := filepath.Join(t.TempDir(), "combined.html")
	if err := Combine(out, full, partial); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "<script") || strings.Contains(string(b), "http://") || strings.Contains(string(b), "https://") {
		t.Error("the page loads or links something external; it must be self-contained")
	}
	// Scenario blocks on the page, by target and name.
	page := map[string]string{}
	var matrixRows int
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			a := attrs(n)
			if strings.Contains(a["class"], "scenario") && a["data-scenario"] != "" {
				page[a["data-target"]+"|"+a["data-scenario"]] = a["data-status"]
			}
			if n.Data == "tr" && strings.Contains(a["class"], "scenario-row") {
				matrixRows++
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)

	total, distinct := 0, 0
	for _, d := range []struct{ dir, target string }{{full, "inprocess"}, {partial, "blind"}} {
		cb, err := os.ReadFile(filepath.Join(d.dir, CucumberFile))
		if err != nil {
			t.Fatal(err)
		}
		features, err := report.ParseCucumber(cb)
		if err != nil {
			t.Fatal(err)
		}
		skipped := 0
		for _, f := range features {
			for _, s := range f.Elements {
				total++
				if d.target == "inprocess" {
					distinct++ // the blind run is a subset of these
				}
				got, ok := page[d.target+"|"+s.Name]
				if !ok {
					t.Errorf("%s: scenario %q is missing from the page", d.target, s.Name)
				} else if got != string(s.Status()) {
					t.Errorf("%s: %q is %s on the page, %s in cucumber JSON", d.target, s.Name, got, s.Status())
				}
				if s.Status() == report.Skipped {
					skipped++
				}
			}
		}
		if d.target == "blind" && skipped == 0 {
			t.Error("the blind run shows no skipped scenario")
		}
		// JUnit agrees: skipped scenarios are <skipped>, not passed.
		jb, err := os.ReadFile(filepath.Join(d.dir, JUnitFile))
		if err != nil {
			t.Fatal(err)
		}
		var suites struct {
			Skipped int `xml:"skipped,attr"`
			Suites  []struct {
				Name    string `xml:"name,attr"`
				Skipped int    `xml:"skipped,attr"`
				Cases   []struct {
					ClassName string `xml:"classname,attr"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(jb, &suites); err != nil {
			t.Fatal(err)
		}
		// The verdict suite's not-observable profiles are skipped too.
		scenariosSkipped := suites.Skipped
		for _, su := range suites.Suites {
			if su.Name == d.target+": verdicts" {
				scenariosSkipped -= su.Skipped
			}
		}
		if scenariosSkipped != skipped {
			t.Errorf("%s: JUnit says %d scenarios skipped, cucumber JSON %d", d.target, scenariosSkipped, skipped)
		}
		// Each depth's suites and cases are its own, so merged files do not
		// collide.
		for _, su := range suites.Suites {
			if !strings.HasPrefix(su.Name, d.target+": ") {
				t.Errorf("%s: a suite named %q", d.target, su.Name)
			}
			for _, c := range su.Cases {
				if !strings.HasPrefix(c.ClassName, "autoconfirm."+d.target+".") {
					t.Errorf("%s: a case with classname %q", d.target, c.ClassName)
				}
			}
		}
	}
	if len(page) != total {
		t.Errorf("the page has %d scenario blocks, the cucumber JSON %d", len(page), total)
	}
	// The blind run's scenarios are a subset of the full run's, so the
	// matrix has exactly one row per scenario of the full run.
	if matrixRows != distinct {
		t.Errorf("the matrix has %d scenario rows, want %d", matrixRows, distinct)
	}
	if !strings.Contains(string(b), "the lookups the function makes") {
		t.Error("the matrix does not give the skip reason")
	}
}

func attrs(n *html.Node) map[string]string {
	m := map[string]string{}
	for _, a := range n.Attr {
		m[a.Key] = a.Val
	}
	return m
}

// TestReportEscapes checks that text from a fixture cannot inject markup.
func TestReportEscapes(t *testing.T) {
	evil := `{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"email":"<script>alert(1)</script>@x.com"}}}`
	features := []report.Feature{{URI: "f", Name: "<b>feature</b>", Elements: []report.Scenario{{Name: "<img src=x onerror=alert(1)>",
		Steps: []report.Step{{Keyword: "Given", Name: "<i>step</i>", Embeddings: []report.Embedding{{Name: "event.json", Data: b64(evil)}}}}}}}}
	var buf bytes.Buffer
	// A handler's refusal and error type, and what a record names, reach
	// the page too.
	run := report.Run{Target: "<u>t", Features: features, Skips: map[string]string{"<img src=x onerror=alert(1)>": "<s>skip"}, Implementation: "<em>impl",
		Claim: "<q>claim", Verdicts: []report.Verdict{{Profile: "<p>own", Verdict: "fail"}},
		Errors: []report.FunctionError{{Label: LabelRefused, Scenario: "<img src=x onerror=alert(1)>", URI: "<a>f", Where: "line 1", Type: "<tt>T", Message: "<script>alert(1)</script>\n::set-output name=x::y"}}}
	if err := report.WriteHTML(&buf, report.Meta{Revision: "<rev>"}, []report.Run{run}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<img", "<b>feature", "<i>step", "<rev>", "<u>", "<s>", "<em>", "<q>", "<p>own", "<a>f", "<tt>"} {
		if strings.Contains(buf.String(), bad) {
			t.Errorf("unescaped %q in the page", bad)
		}
	}
}

func b64(s string) string {
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// TestReportDirWithComma: godog splits its format list at commas, so a report
// directory whose path has one must still get every file.
func TestReportDirWithComma(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a,b:c")
	res := Run(context.Background(), Options{Target: targets.NewInProcess(), Content: autoconfirm.Content(), Format: "progress", Tags: "@sources",
		Output: io.Discard, Errors: io.Discard, NoColors: true, ReportDir: dir})
	if res.Status != ExitPass {
		t.Fatalf("status %d", res.Status)
	}
	for _, f := range []string{JUnitFile, CucumberFile, HTMLFile, RunFile} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestReportDirHoldsOneRun: a run removes the files that runs write in its
// report directory, and leaves anything else there alone.
func TestReportDirHoldsOneRun(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, RunFile), []byte(`{"target":"stale"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	var out bytes.Buffer
	// A run that stops at a usage error writes no report of its own.
	res := Run(context.Background(), Options{Target: targets.NewInProcess(), Content: autoconfirm.Content(), Tags: "@nosuchtag", ReportDir: dir, Output: &out, Errors: &out})
	if res.Status != ExitUsage {
		t.Fatalf("status %d", res.Status)
	}
	if _, err := os.Stat(filepath.Join(dir, RunFile)); err == nil {
		t.Error("an earlier run's run.json is still there")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("a file the run did not write was touched: %q, %v", b, err)
	}
}
