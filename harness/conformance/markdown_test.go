package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// hostile is text a handler, a feature or a fixture could hold: HTML, a
// mention, a team mention, a link, an image, a reference, a bare URL, a
// table cell boundary, backticks and newlines with workflow commands.
const hostile = "<img src=x onerror=alert(1)> @org/team hi @alice [x](http://evil) ![t](https://evil/t.png) #12 www.evil.com a|b ``c` \n::set-output name=x::y\r\n::add-mask::z &#64;bob GH-7 :rocket: $x^2$"

// TestMarkdownEscapes: nothing from a handler, a feature or a fixture
// becomes markup, a link, an image, a mention, a reference, a new line or a
// new table cell in a job summary or a pull-request comment.
func TestMarkdownEscapes(t *testing.T) {
	depths := func(text string) Depths {
		return Depths{Names: []string{"pool", "lambda " + text}, Controls: map[string]string{"pool": text},
			Verdicts: []DepthsVerdict{{Profile: "own`|" + text, Verdict: "fail", At: map[string]string{"pool": "fail", "lambda " + text: text}}},
			Failures: []FailedScenario{{Scenario: text, URI: "own-features/`x|.feature" + text, Where: text, Depths: []string{"pool"}, Step: text, Error: text}},
			Errors:   []ErroredScenario{{Scenario: text, URI: "f.feature", Where: "line 1", Label: LabelRefused, Type: text, Message: text, Depths: []string{"pool"}}},
			Notes:    []string{text}}
	}
	var b, plain bytes.Buffer
	depths(hostile).Markdown(&b)
	depths("x").Markdown(&plain)
	if got, want := strings.Count(b.String(), "\n"), strings.Count(plain.String(), "\n"); got != want {
		t.Errorf("the Markdown has %d lines, %d without the hostile text: a newline in the text started new ones\n%s", got, want, b.String())
	}
	md := withoutCodeSpans(t, b.String())
	for _, tt := range []struct {
		name string
		bad  *regexp.Regexp
	}{
		{"an HTML tag", regexp.MustCompile(`(^|[^\\])<[a-z/!]`)},
		{"an entity", regexp.MustCompile(`(^|[^\\])&#?[a-z0-9]+;`)},
		{"a mention (GitHub's pattern)", regexp.MustCompile(`(?i)(^|[^a-z0-9_\\])@[a-z0-9]`)},
		{"a link or image", regexp.MustCompile(`(^|[^\\])\]\(`)},
		{"an image's start", regexp.MustCompile(`(^|[^\\])!\[`)},
		{"an issue reference", regexp.MustCompile(`#[0-9]`)},
		{"a GH- issue reference", regexp.MustCompile(`(?i)\bGH-[0-9]`)},
		{"an emoji shortcode", regexp.MustCompile(`:[a-z0-9_+-]+:`)},
		{"math", regexp.MustCompile(`(^|[^\\])\$`)},
		{"an autolinked URL", regexp.MustCompile(`(?i)https?://|www\.`)},
		{"a workflow command at a line's start", regexp.MustCompile(`(?m)^\s*::`)},
		{"a carriage return", regexp.MustCompile("\r")},
	} {
		if m := tt.bad.FindString(md); m != "" {
			t.Errorf("%s in the Markdown: %q\n%s", tt.name, m, md)
		}
	}
	// Each table row keeps its cells: profile, two depths, verdict.
	unescapedPipe := regexp.MustCompile(`(^|[^\\])\|`)
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "|") && len(unescapedPipe.FindAllString(" "+line, -1)) != 5 {
			t.Errorf("a table row with other than 4 cells: %q", line)
		}
	}
}

// withoutCodeSpans replaces each code span, whose text CommonMark shows as
// it is (no markup, and GitHub finds no mention or link in code), with a
// placeholder, and fails on a code span left open.
func withoutCodeSpans(t *testing.T, md string) string {
	t.Helper()
	var out strings.Builder
	for i := 0; i < len(md); {
		if md[i] != '`' || (i > 0 && md[i-1] == '\\') {
			out.WriteByte(md[i])
			i++
			continue
		}
		n := 0
		for i+n < len(md) && md[i+n] == '`' {
			n++
		}
		end := -1
		for j := i + n; j < len(md); {
			if md[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(md) && md[j+m] == '`' {
				m++
			}
			if m == n {
				end = j
				break
			}
			j += m
		}
		if end < 0 || strings.Contains(md[i:end], "\n") {
			t.Fatalf("a code span opened at %d is not closed on its line:\n%s", i, md[i:])
		}
		out.WriteString("CODE")
		i = end + n
	}
	return out.String()
}

// TestMdCodeFence: text shown as code cannot close its own code span.
func TestMdCodeFence(t *testing.T) {
	for in, want := range map[string]string{"a": "`a`", "a`b": "``a`b``", "`x": "`` `x ``", "a|b": "`a\\|b`", "": ""} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRunRecordsItsStatus: run.json records the run's final exit status,
// which the Action's summary is written from, and Markdown's headline
// follows it.
func TestRunRecordsItsStatus(t *testing.T) {
	for _, tt := range []struct {
		name     string
		target   targets.Target
		tags     string
		status   int
		headline string
	}{
		{"a pass", targets.NewInProcess(), "@sources", ExitPass, "✅ PASS"},
		{"a run that checked nothing", sightless{targets.NewInProcess()}, "@signup", ExitFailed, "❌ FAIL (exit 1)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			res := Run(context.Background(), Options{Target: tt.target, Content: autoconfirm.Content(), Format: "progress", Tags: tt.tags,
				Output: io.Discard, Errors: io.Discard, NoColors: true, ReportDir: dir})
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d", res.Status, tt.status)
			}
			var rec Record
			b, _ := os.ReadFile(filepath.Join(dir, RunFile))
			if err := json.Unmarshal(b, &rec); err != nil || rec.Status == nil || *rec.Status != tt.status {
				t.Fatalf("run.json records status %s (%v), want %d", b, err, tt.status)
			}
			if err := CheckStatus(tt.status, dir); err != nil {
				t.Error(err)
			}
			if err := CheckStatus(tt.status+1, dir); err == nil {
				t.Error("CheckStatus took another status")
			}
			d, err := ReadRuns(dir)
			if err != nil {
				t.Fatal(err)
			}
			var md bytes.Buffer
			d.Markdown(&md)
			if !strings.Contains(md.String(), "### autoconfirm conformance: "+tt.headline+"\n") {
				t.Errorf("the headline is not %q:\n%s", tt.headline, md.String())
			}
		})
	}
}

// TestUnwritableReportFails: a report that cannot be written, such as a
// godog file on a full disk, fails the run with exit 2 and names the file;
// no run.json is left to be read as the run's.
func TestUnwritableReportFails(t *testing.T) {
	for _, format := range []string{"progress,cucumber:/dev/full", "progress,junit:/dev/full", "progress,cucumber:/nonexistent/dir/c.json"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			var errs bytes.Buffer
			res := Run(context.Background(), Options{Target: targets.NewInProcess(), Content: autoconfirm.Content(), Format: format, Tags: "@sources",
				Output: io.Discard, Errors: &errs, NoColors: true, ReportDir: dir})
			_, file, _ := strings.Cut(strings.Split(format, ",")[1], ":")
			if res.Status != ExitUsage || !strings.Contains(errs.String(), file) {
				t.Errorf("status %d, want 2 naming %s; stderr:\n%s", res.Status, file, errs.String())
			}
			if _, err := os.Stat(filepath.Join(dir, RunFile)); err == nil {
				t.Error("run.json was written for a run whose report failed")
			}
		})
	}
}

// TestMarkdownBidi: a bidirectional control in a handler's text (the
// right-to-left override, an isolate, a mark) reaches a summary as its
// visible escape, in text and in code, so that it cannot reorder what the
// reader sees.
func TestMarkdownBidi(t *testing.T) {
	for _, tt := range []struct {
		name, in, text, code string
	}{
		{"the right-to-left override", "ok\u202etxt.exe", `ok\\u202etxt.exe`, "`ok\\u202etxt.exe`"},
		{"an embedding and its pop", "\u202aa\u202c", `\\u202aa\\u202c`, "`\\u202aa\\u202c`"},
		{"the isolates", "\u2066\u2067\u2068\u2069", `\\u2066\\u2067\\u2068\\u2069`, "`\\u2066\\u2067\\u2068\\u2069`"},
		{"the marks", "a\u200eb\u200f", `a\\u200eb\\u200f`, "`a\\u200eb\\u200f`"},
		{"Arabic text itself, kept", "مرحبا", "مرحبا", "`مرحبا`"},
		// And every other control, which `report --markdown FILE` wrote
		// raw (red team round 15).
		{"an escape, a bell, a NUL", "a\x1b[2Jb\x07\x00", `a\\x1b\[2Jb\\x07\\x00`, "`a\\x1b[2Jb\\x07\\x00`"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := mdText(tt.in); got != tt.text {
				t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.text)
			}
			if got := mdCode(tt.in); got != tt.code {
				t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.code)
			}
		})
	}
}
