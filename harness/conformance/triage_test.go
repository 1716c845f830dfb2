package conformance

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// TestReportForTriage reads the page of a run with failures as a reader
// would: failures come first and link to their scenarios, matrix cells link
// to theirs, every link lands on an id, a deep link names its feature and
// offers a way back, descriptions keep their line breaks, a wrong flag is
// marked wrong, the page is valid UTF-8, and it names what was tested.
func TestReportForTriage(t *testing.T) {
	dir := t.TempDir()
	res := Run(context.Background(), Options{Target: liar{targets.NewInProcess()}, Content: autoconfirm.Content(), Format: "progress",
		Concurrency: 4, Output: &bytes.Buffer{}, Errors: &bytes.Buffer{}, NoColors: true, ReportDir: dir,
		Implementation: "bootstrap /tmp/x, sha256 abc123"})
	if res.Status != ExitFailed {
		t.Fatalf("status %d", res.Status)
	}
	b, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(b) {
		t.Error("the page is not valid UTF-8")
	}
	if !bytes.Contains(b, []byte(`mary.\xff\xfemajor`)) {
		t.Error("the invalid UTF-8 fixture's bytes are not shown escaped")
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	ids, links := map[string]*html.Node{}, map[string][]string{} // id -> node; class of link's context -> hrefs
	var order []string                                           // ids of headings in page order
	var walk func(n *html.Node, ctx string)
	walk = func(n *html.Node, ctx string) {
		if n.Type == html.ElementNode {
			a := attrs(n)
			if a["id"] != "" {
				ids[a["id"]] = n
				order = append(order, a["id"])
			}
			if strings.Contains(a["class"], "failures") {
				ctx = "failures"
			}
			if a["id"] == "matrix" {
				ctx = "matrix"
			}
			if n.Data == "a" && strings.HasPrefix(a["href"], "#") {
				links[ctx] = append(links[ctx], a["href"][1:])
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, ctx)
		}
	}
	walk(doc, "")
	if len(links["failures"]) == 0 || len(links["matrix"]) == 0 {
		t.Fatalf("failure links %d, matrix links %d", len(links["failures"]), len(links["matrix"]))
	}
	if indexOf(order, "failures") > indexOf(order, "matrix") {
		t.Error("the failures are not listed before the matrix")
	}
	for ctx, hrefs := range links {
		for _, h := range hrefs {
			if ids[h] == nil {
				t.Errorf("a %s link goes to #%s, which is not on the page", ctx, h)
			}
		}
	}
	s := string(b)
	for _, want := range []string{
		`<p class="back"><a href="#matrix">`,                 // a way back from a deep link
		`Feature: New users are confirmed and their contact`, // the feature, on the scenario itself
		"bootstrap /tmp/x, sha256 abc123",                    // what was tested
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if !regexp.MustCompile(`class="meta overview description">[^<]*\n[^<]*</p>`).MatchString(s) {
		t.Error("feature descriptions lost their line breaks")
	}
	// The liar sets autoVerifyEmail for an empty email: the checked flag
	// is shown wrong, whatever its value.
	if !strings.Contains(s, `<span class="flag wrong">`) {
		t.Error("a flag that failed its check is not marked wrong")
	}
	// Every failure says what is wrong beside its response, and every
	// failure that blames a flag marks that flag wrong.
	blamed := regexp.MustCompile(`autoConfirmUser|autoVerifyEmail|autoVerifyPhone`)
	var failed, flagFailures int
	var check func(n *html.Node)
	check = func(n *html.Node) {
		if a := attrs(n); n.Type == html.ElementNode && a["data-status"] == "failed" && strings.Contains(a["class"], "scenario") {
			failed++
			var buf bytes.Buffer
			html.Render(&buf, n)
			block := buf.String()
			wrong := regexp.MustCompile(`<p class="wrong-here"[^>]*>(.*?)</p>`).FindStringSubmatch(block)
			switch {
			case wrong == nil:
				t.Errorf("the failed scenario %q does not say what is wrong", a["data-scenario"])
			case blamed.MatchString(wrong[1]):
				flagFailures++
				if !strings.Contains(block, `<span class="flag wrong">`) {
					t.Errorf("the failed scenario %q blames a flag (%s) but marks none wrong", a["data-scenario"], wrong[1])
				}
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			check(c)
		}
	}
	check(doc)
	if failed == 0 || flagFailures == 0 {
		t.Errorf("%d failed scenarios, %d about a flag: the liar should fail some on a flag", failed, flagFailures)
	}
	if strings.Contains(s, `class="flag on"`) || strings.Contains(s, `class="flag off"`) {
		t.Error("flags are still coloured by their value")
	}

	// JUnit: its counts agree with its cases, and a skipped step is no error.
	jb, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				ClassName string    `xml:"classname,attr"`
				Name      string    `xml:"name,attr"`
				Failure   *struct{} `xml:"failure"`
				Error     []struct {
					Type string `xml:"type,attr"`
				} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(jb, &suites); err != nil {
		t.Fatal(err)
	}
	cases, failures, errs := 0, 0, 0
	for _, su := range suites.Suites {
		for _, c := range su.Cases {
			cases++
			if c.Failure != nil {
				failures++
			}
			if len(c.Error) > 0 {
				errs++
			}
			for _, e := range c.Error {
				if e.Type == "skipped" {
					t.Error("JUnit still reports a skipped step as an error")
				}
			}
		}
	}
	// The first suite is the verdict: one case per claimed profile, failed
	// where the profile failed.
	if len(suites.Suites) == 0 || suites.Suites[0].Name != "liar: verdicts" {
		t.Fatal("JUnit has no verdict suite first")
	}
	rows := map[string]bool{}
	for _, c := range suites.Suites[0].Cases {
		if c.ClassName != "autoconfirm.liar.verdicts" {
			t.Errorf("verdict case %q has classname %q", c.Name, c.ClassName)
		}
		rows[c.Name] = c.Failure != nil
	}
	if len(rows) != len(BuiltinProfiles) || !rows["profile defensive"] || rows["profile verify-phone"] {
		t.Errorf("verdict cases (name: failed) %v; want one per built-in profile, defensive failed and verify-phone not", rows)
	}
	if suites.Tests != cases || suites.Failures != failures || suites.Errors != errs || failures == 0 {
		t.Errorf("JUnit header says %d tests, %d failures, %d errors; its cases hold %d, %d, %d",
			suites.Tests, suites.Failures, suites.Errors, cases, failures, errs)
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// TestAnchorsStable: a scenario's id comes from its feature and name, so it
// stays the same when Examples rows are reordered.
func TestAnchorsStable(t *testing.T) {
	dir := t.TempDir()
	Run(context.Background(), Options{Target: targets.NewInProcess(), Content: autoconfirm.Content(), Format: "progress", Tags: "@signup",
		Output: &bytes.Buffer{}, Errors: &bytes.Buffer{}, NoColors: true, ReportDir: dir})
	b, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	if !strings.Contains(string(b), `id="inprocess-features_sign_up_feature-The_event_comes_back_as_it_was_sent__but_for_the_flags__A_user_whose_email_address_is_empty"`) {
		t.Error("the scenario's id is not built from its feature and name")
	}
}
