package conformance

import (
	"fmt"
	"io"
	"strings"

	messages "github.com/cucumber/messages/go/v34"

	"github.com/autoconfirm/autoconfirm/steps"
)

// places maps the ids of scenarios and Examples rows in the parsed features
// to where a reader finds them: a line, and for a row its cells.
func places(docs []*messages.GherkinDocument) map[string]string {
	out := map[string]string{}
	var scenario func(sc *messages.Scenario)
	scenario = func(sc *messages.Scenario) {
		out[sc.Id] = fmt.Sprintf("line %d", sc.Location.Line)
		for _, ex := range sc.Examples {
			for _, row := range ex.TableBody {
				var cells []string
				for _, c := range row.Cells {
					cells = append(cells, c.Value)
				}
				out[row.Id] = fmt.Sprintf("Examples row at line %d: | %s |", row.Location.Line, strings.Join(cells, " | "))
			}
		}
	}
	for _, d := range docs {
		if d == nil || d.Feature == nil {
			continue
		}
		for _, c := range d.Feature.Children {
			if c.Scenario != nil {
				scenario(c.Scenario)
			}
			if c.Rule != nil {
				for _, rc := range c.Rule.Children {
					if rc.Scenario != nil {
						scenario(rc.Scenario)
					}
				}
			}
		}
	}
	return out
}

// printFailures lists every failed scenario after the run: where it is, the
// Examples row, the fixture, the step and what it expected and got.
func printFailures(w io.Writer, failures []steps.Failure, where map[string]string) {
	if len(failures) == 0 {
		return
	}
	fmt.Fprintf(w, "\nFAILED: %d scenario(s):\n", len(failures))
	for i, f := range failures {
		var loc []string
		for _, id := range f.AstNodeIDs {
			if p, ok := where[id]; ok {
				loc = append(loc, p)
			}
		}
		fmt.Fprintf(w, "  %d. %s\n     where:   %s, %s\n", i+1, f.Scenario, f.URI, strings.Join(loc, ", "))
		if f.Fixture != "" {
			fmt.Fprintf(w, "     event:   %s\n", f.Fixture)
		}
		if f.Step != "" {
			fmt.Fprintf(w, "     step:    %s\n", f.Step)
		}
		fmt.Fprintf(w, "     error:   %s\n", strings.ReplaceAll(f.Error, "\n", "\n              "))
	}
}
