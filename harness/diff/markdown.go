package diff

import (
	"fmt"
	"io"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/conformance"
)

// A Markdown report lists at most maxMarkdown differences, and shows at
// most maxMarkdownEvent bytes of an event: GitHub cuts a job summary at
// 1 MiB, and a comment is read by people; diff.txt holds them whole.
const (
	maxMarkdown      = 50
	maxMarkdownEvent = 2000
)

// Markdown writes the report as GitHub-flavoured Markdown, for a job
// summary or a pull-request comment: a headline, the sides, then the
// nondeterministic sides and the differences in their ranked groups, each
// group under a one-line heading. Every text a handler or a user wrote
// (specs, refusal texts, events, fixture names) is escaped.
func (rep Report) Markdown(w io.Writer) {
	txt, code := conformance.MarkdownText, conformance.MarkdownCode
	fmt.Fprintf(w, "### autoconfirm diff: %s\n\n", rep.headline())
	for _, s := range []struct {
		name string
		side sideJSON
	}{{"A", rep.SideA}, {"B", rep.SideB}} {
		fmt.Fprintf(w, "- **%s:** %s", s.name, code(s.side.Spec))
		if s.side.Implementation != "" {
			fmt.Fprintf(w, " (%s)", txt(s.side.Implementation))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "- %d sign-ups compared (%d sent in all, shrinking and sending again included) in %.1fs\n", rep.Cases, rep.SignUps, rep.Seconds)
	if s := rep.ignored(); s != "" {
		fmt.Fprintf(w, "- ignored, as --ignore asks: %s\n", txt(s))
	}
	if len(rep.Nondeterministic) > 0 {
		fmt.Fprintf(w, "\n#### ⚠️ Nondeterministic: %s\n\n", txt(rep.nondeterminismHeading()))
		for i, n := range rep.Nondeterministic {
			fmt.Fprintf(w, "%d. **%s** %s decided %d sign-up(s) two ways when sent again, first %s  \n", i+1, txt(n.Side), code(n.Spec), n.Events, txt(n.First))
			fmt.Fprintf(w, "   first %s, then %s  \n   the event; %s: %s\n", txt(n.Decisions[0].String()), txt(n.Decisions[1].String()), txt(n.Holders), code(clip(n.ExampleJSON)))
		}
	}
	rep.markdownDifferences(w)
}

// markdownDifferences writes the ranked groups of differences.
func (rep Report) markdownDifferences(w io.Writer) {
	txt, code := conformance.MarkdownText, conformance.MarkdownCode
	n := 0
	for _, g := range byCategory(rep.Differences) {
		if n == maxMarkdown {
			break
		}
		fmt.Fprintf(w, "\n#### %d. %s, %d difference(s)\n\n%s\n\n", g[0].Rank, categoryTitle(g[0].Category), len(g), txt(g[0].Category.Heading()))
		for _, d := range g {
			if n == maxMarkdown {
				break
			}
			n++
			where := d.Source
			if d.Value != "" {
				where += ", " + d.Value
			}
			fmt.Fprintf(w, "%d. **%s**: %s (%d sign-up(s), first %s)  \n", n, txt(d.Kind), txt(where), d.Count, txt(d.First))
			if d.Harm != "" {
				fmt.Fprintf(w, "   why: %s  \n", txt(d.Harm))
			}
			fmt.Fprintf(w, "   A: %s; B: %s  \n   smallest event; %s: %s\n", txt(d.A.String()), txt(d.B.String()), txt(d.Holders), code(clip(d.ExampleJSON)))
		}
	}
	if left := len(rep.Differences) - n; left > 0 {
		fmt.Fprintf(w, "\n… and %d more: diff.txt and diff.html list them all.\n", left)
	}
}

// headline is the report's verdict in a few words.
func (rep Report) headline() string {
	switch {
	case len(rep.Differences) > 0 && len(rep.Nondeterministic) > 0:
		return fmt.Sprintf("❌ %d difference(s), and a side that decides at random", len(rep.Differences))
	case len(rep.Differences) > 0:
		return fmt.Sprintf("❌ %d difference(s), most harmful first", len(rep.Differences))
	case len(rep.Nondeterministic) > 0:
		return "❌ a side decides at random"
	}
	return "✅ no difference: both sides decided every sign-up alike"
}

// categoryTitle is a category's short title.
func categoryTitle(c Category) string {
	switch c {
	case BreaksProfile:
		return "❌ Breaks a profile"
	case DecisionChange:
		return "Decision changed"
	case TestOnly:
		return "Test-only"
	}
	return conformance.MarkdownText(string(c))
}

// clip shortens an event for Markdown.
func clip(s string) string {
	if len(s) <= maxMarkdownEvent {
		return s
	}
	return strings.ToValidUTF8(s[:maxMarkdownEvent], "") + " …"
}
