package conformance

import (
	"fmt"
	"strings"

	messages "github.com/cucumber/messages/go/v34"
)

// places maps the ids of scenarios and Examples rows in the parsed features
// to where a reader finds them: a line, and for a row its cells.
func places(docs []*messages.GherkinDocument) map[string]string {
	out := map[string]string{}
	scenario := func(sc *messages.Scenario) {
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
