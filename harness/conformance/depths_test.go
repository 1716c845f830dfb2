package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// honestBlind is the in-process target, named as a second depth.
type honestBlind struct{ *targets.InProcess }

func (honestBlind) Name() string { return "honest" }

// TestFailuresListedOnce: whatever the format, the output lists each failed
// scenario once, with its depth, and godog's own list of failed steps is
// gone; run.json records the same scenarios.
func TestFailuresListedOnce(t *testing.T) {
	for _, format := range []string{"progress", "pretty"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			var out bytes.Buffer
			res := Run(context.Background(), Options{Target: liar{targets.NewInProcess()}, Content: autoconfirm.Content(), Format: format, Tags: "@signup",
				Output: &out, Errors: &bytes.Buffer{}, NoColors: true, ReportDir: dir})
			if res.Status != ExitFailed {
				t.Fatalf("status %d, want %d", res.Status, ExitFailed)
			}
			s := out.String()
			if strings.Contains(s, "--- Failed steps:") {
				t.Error("godog's list of failed steps is still printed beside the runner's")
			}
			m := regexp.MustCompile(`FAILED: (\d+) scenario`).FindAllStringSubmatch(s, -1)
			if len(m) != 1 {
				t.Fatalf("%d failure lists, want 1:\n%s", len(m), s)
			}
			var rec Record
			b, _ := os.ReadFile(filepath.Join(dir, RunFile))
			if err := json.Unmarshal(b, &rec); err != nil {
				t.Fatal(err)
			}
			if m[0][1] == "0" || m[0][1] != strconv.Itoa(len(rec.Failures)) {
				t.Errorf("the output lists %s failed scenarios, run.json %d", m[0][1], len(rec.Failures))
			}
			if n := strings.Count(s, "failed:  at liar\n"); n != len(rec.Failures) {
				t.Errorf("%d items name their depth, want %d", n, len(rec.Failures))
			}
			for _, f := range rec.Failures {
				if len(f.Depths) != 1 || f.Depths[0] != "liar" || f.Where == "" || f.Error == "" {
					t.Errorf("run.json's failure lacks its depth, place or error: %+v", f)
				}
			}
		})
	}
}

// TestDepthsJudgedTogether: two depths' report directories give one verdict
// per profile, the worst that a depth able to observe it gave, and each
// failed scenario once with every depth that failed it; `report` combines
// the directory they are recorded in as it combines theirs.
func TestDepthsJudgedTogether(t *testing.T) {
	dir := t.TempDir()
	for name, target := range map[string]targets.Target{"a": liar{targets.NewInProcess()}, "b": liar{targets.NewInProcess()}, "c": honestBlind{targets.NewInProcess()}} {
		Run(context.Background(), Options{Target: target, Content: autoconfirm.Content(), Format: "progress", Profiles: []string{"cognito", "confirm", "verify-email", "defensive"},
			Output: &bytes.Buffer{}, Errors: &bytes.Buffer{}, NoColors: true, ReportDir: filepath.Join(dir, name), Brief: true})
	}
	both, err := ReadDepths("local", dir, "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	one, err := ReadDepths("local", dir, "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(both.Failures) == 0 || len(both.Failures) != len(one.Failures) {
		t.Fatalf("%d failed scenarios at two depths, %d at one: each should be listed once", len(both.Failures), len(one.Failures))
	}
	for _, f := range both.Failures {
		if strings.Join(f.Depths, ",") != "a,b" {
			t.Errorf("%q failed at %v, want a,b", f.Scenario, f.Depths)
		}
	}
	if both.Passed() {
		t.Error("two failing depths pass together")
	}
	mixed, err := ReadDepths("local", dir, "c", "a")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range mixed.Verdicts {
		if v.At["c"] != "pass" {
			t.Errorf("the honest depth gives %s %s", v.Profile, v.At["c"])
		}
		if v.At["a"] == "fail" && v.Verdict != "fail" {
			t.Errorf("%s failed at a but is %s together", v.Profile, v.Verdict)
		}
	}
	honest, _ := ReadDepths("local", dir, "c")
	if !honest.Passed() || len(honest.Failures) != 0 {
		t.Errorf("the honest depth alone: passed %v, %d failures", honest.Passed(), len(honest.Failures))
	}
	var out bytes.Buffer
	both.Print(&out)
	if n := strings.Count(out.String(), "failed:  at a, b\n"); n != len(both.Failures) {
		t.Errorf("%d printed items name both depths, want %d:\n%s", n, len(both.Failures), out.String())
	}
	var md bytes.Buffer
	both.Markdown(&md)
	for _, want := range []string{"### autoconfirm conformance: ❌ FAIL", "| profile | a | b | verdict |", "| `defensive` | ❌ fail | ❌ fail | **❌ fail** |",
		strconv.Itoa(len(both.Failures)) + " failed scenario(s)", "failed at a, b", "Control sign-up"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md.String())
		}
	}
	md.Reset()
	honest.Markdown(&md)
	if !strings.Contains(md.String(), "✅ PASS") || strings.Contains(md.String(), "failed scenario") {
		t.Errorf("a passing run's Markdown:\n%s", md.String())
	}
	runs, err := ReadRuns(filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	if err != nil || len(runs.Names) != 2 || runs.Names[0] == runs.Names[1] || len(runs.Failures) != len(both.Failures) {
		t.Errorf("ReadRuns of two liar runs: names %v, %d failures, %v", runs.Names, len(runs.Failures), err)
	}
	both.Sandbox = "not sandboxed: bubblewrap is not installed"
	if err := WriteDepths(dir, both, ExitFailed); err != nil {
		t.Fatal(err)
	}
	// report --markdown on local's directory says what local said.
	recorded, err := ReadRuns(dir)
	md.Reset()
	recorded.Markdown(&md)
	if err != nil || recorded.Sandbox != both.Sandbox || !strings.Contains(md.String(), "**Handler:** not sandboxed: bubblewrap is not installed") {
		t.Errorf("the recorded run's sandbox: %q (%v):\n%s", recorded.Sandbox, err, md.String())
	}
	page := filepath.Join(t.TempDir(), "page.html")
	if err := Combine(page, dir); err != nil {
		t.Fatalf("the recorded directory does not combine: %v", err)
	}
	b, _ := os.ReadFile(page)
	if n := strings.Count(string(b), "Under test on <b>liar</b>"); n != 2 {
		t.Errorf("the combined page names %d runs, want both depths'", n)
	}
}
