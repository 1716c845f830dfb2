package conformance

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/autoconfirm/autoconfirm/internal/termtext"
	"github.com/autoconfirm/autoconfirm/steps"
)

// maxMarkdownFailures bounds the failures a summary lists: GitHub cuts a
// step summary at 1 MiB, and a comment is read by people.
const maxMarkdownFailures = 50

// mdSpecial are the ASCII punctuation characters that mean something in
// GitHub-flavoured Markdown inline text; CommonMark lets a backslash escape
// any ASCII punctuation, so each is written escaped (rules §15).
var mdSpecial = regexp.MustCompile("[\\\\`*_{}\\[\\]()<>!|~&#$]")

// mdLinkish are the starts of what GitHub turns into a link, a mention or
// an emoji with no markup at all: @user, @org/team, #123, GH-123, www.,
// scheme:// and :shortcode:.
var mdLinkish = regexp.MustCompile(`(?i)(@|#|\bGH-|www\.|[a-z][a-z0-9+.-]*://|:)`)

// zwj, the zero-width joiner, breaks a mention, a reference or an autolink
// without changing what a reader sees: GitHub looks for them in the
// rendered text, where a backslash escape is already gone.
const zwj = "\u200d"

// mdText is text from a handler, a feature or a fixture, made inert for a
// job summary or a pull-request comment: one line, no HTML, no link, image,
// emphasis or table cell boundary, no control character or bidirectional
// control (each shown as its escape, \x1b or \u202e), and no mention
// or reference that would notify anyone.
func mdText(s string) string {
	s = termtext.Inert(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s))
	s = mdLinkish.ReplaceAllStringFunc(s, func(m string) string {
		switch strings.ToUpper(m) {
		case "@", "#", ":":
			return m + zwj
		case "GH-":
			return m[:2] + zwj + m[2:]
		}
		return strings.Replace(strings.Replace(m, ".", zwj+".", 1), "://", ":"+zwj+"//", 1)
	})
	return mdSpecial.ReplaceAllString(s, `\$0`)
}

// mdCode is text shown as code: a backtick fence longer than any run of
// backticks in it, so that the text cannot close it, with a table's cell
// separator escaped (GitHub's tables split at | even inside code), and no
// control character or bidirectional control.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = termtext.Inert(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "|", `\|`).Replace(s))
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// Markdown writes the verdict table, the failed scenarios, each once with
// the depths that failed it, and the control, as GitHub-flavoured Markdown:
// for a job summary ($GITHUB_STEP_SUMMARY) or a pull-request comment. Every
// text that a handler, a feature or a fixture wrote goes through mdText or
// mdCode.
func (d Depths) Markdown(w io.Writer) {
	fmt.Fprintf(w, "### autoconfirm conformance: %s\n\n", d.headline())
	d.markdownNotes(w)
	d.markdownTable(w)
	if d.Sandbox != "" { // the runner's own words, one line
		fmt.Fprintf(w, "\n**Handler:** %s\n", strings.Join(strings.Fields(d.Sandbox), " "))
	}
	markdownFailures(w, d.Failures)
	markdownErrors(w, d.Errors)
	var controls []string
	for _, n := range d.Names {
		controls = append(controls, n+" "+d.Controls[n])
	}
	fmt.Fprintf(w, "\nControl sign-up (an ordinary PreSignUp_SignUp, judged only for acceptance): %s\n", mdText(strings.Join(controls, ", ")))
}

// headline is PASS only when the run recorded exit 0 (a record from before
// runs recorded their status counts on its verdicts alone) and every
// profile passed where it could be observed.
func (d Depths) headline() string {
	switch {
	case d.Status != nil && *d.Status != ExitPass:
		return fmt.Sprintf("❌ FAIL (exit %d)", *d.Status)
	case !d.Passed():
		return "❌ FAIL"
	}
	return "✅ PASS"
}

// markdownNotes says why a run failed beyond its verdicts.
func (d Depths) markdownNotes(w io.Writer) {
	for _, n := range d.Notes {
		fmt.Fprintf(w, "- %s\n", mdText(n))
	}
	if len(d.Notes) > 0 {
		fmt.Fprintln(w)
	}
}

func (d Depths) markdownTable(w io.Writer) {
	mark := map[string]string{"pass": "✅ pass", "fail": "❌ fail", "vacuous": "❌ vacuous", "not observable": "➖ not observable", steps.NotApplicableVerdict: "➖ not applicable", "": "—"}
	fmt.Fprint(w, "| profile |")
	for _, n := range d.Names {
		fmt.Fprintf(w, " %s |", mdText(n))
	}
	fmt.Fprint(w, " verdict |\n|---|")
	for range d.Names {
		fmt.Fprint(w, "---|")
	}
	fmt.Fprint(w, "---|\n")
	for _, v := range d.Verdicts {
		fmt.Fprintf(w, "| %s |", mdCode(v.Profile))
		for _, n := range d.Names {
			fmt.Fprintf(w, " %s |", markOf(mark, v.At[n]))
		}
		fmt.Fprintf(w, " **%s** |\n", markOf(mark, v.Verdict))
	}
}

// markOf is a verdict's mark; a verdict no run writes is shown as text.
func markOf(mark map[string]string, v string) string {
	if m, ok := mark[v]; ok {
		return m
	}
	return mdText(v)
}

func markdownFailures(w io.Writer, failures []FailedScenario) {
	if len(failures) == 0 {
		return
	}
	fmt.Fprintf(w, "\n**%d failed scenario(s)**, each once with the depths that failed it:\n\n", len(failures))
	for i, f := range failures {
		if i == maxMarkdownFailures {
			fmt.Fprintf(w, "\n… and %d more: the HTML report lists them all.\n", len(failures)-i)
			break
		}
		fmt.Fprintf(w, "%d. **%s**, failed at %s  \n   %s, %s", i+1, mdText(f.Scenario), mdText(strings.Join(f.Depths, ", ")), mdCode(f.URI), mdText(f.Where))
		if f.Step != "" {
			fmt.Fprintf(w, "  \n   %s: %s", mdText(f.Step), mdText(f.Error))
		} else {
			fmt.Fprintf(w, "  \n   %s", mdText(f.Error))
		}
		fmt.Fprintln(w)
	}
}

// markdownErrors lists the function errors for a job summary.
func markdownErrors(w io.Writer, errs []ErroredScenario) {
	if len(errs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n**The function errored in %d scenario(s)**, by feature file and line:\n\n", len(errs))
	for i, e := range errs {
		if i == maxMarkdownFailures {
			fmt.Fprintf(w, "\n… and %d more: run.json and the HTML report list them all.\n", len(errs)-i)
			break
		}
		fmt.Fprintf(w, "%d. **%s** %s at %s  \n   %s, %s  \n   %s: %s\n", i+1, mdText(e.Label), mdText(e.Scenario), mdText(strings.Join(e.Depths, ", ")),
			mdCode(e.URI), mdText(e.Where), mdCode(e.Type), mdText(e.Message))
	}
}

// MarkdownText is mdText for other packages' Markdown: text from a
// handler, made inert for a job summary or a pull-request comment.
func MarkdownText(s string) string { return mdText(s) }

// MarkdownCode is mdCode for other packages' Markdown: text shown as code.
func MarkdownCode(s string) string { return mdCode(s) }
