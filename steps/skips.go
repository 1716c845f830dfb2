package steps

import (
	"fmt"
	"io"
	"sort"
	"sync"
)

// SkipLog collects skipped steps, because godog's summary, go test and JUnit
// all count a skipped step as a pass. The runner prints it after the run.
type SkipLog struct {
	mu    sync.Mutex
	items []Skip
}

// Skip is one skipped step.
type Skip struct {
	Target, Scenario, Reason string
}

// Add records a skip.
func (l *SkipLog) Add(target, scenario, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, Skip{target, scenario, reason})
}

// Items returns the skips, sorted by scenario.
func (l *SkipLog) Items() []Skip {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := append([]Skip(nil), l.items...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Scenario != out[j].Scenario {
			return out[i].Scenario < out[j].Scenario
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}

// Print writes the skips, one scenario a line, or nothing when there are none.
func (l *SkipLog) Print(w io.Writer) {
	items := l.Items()
	if len(items) == 0 {
		return
	}
	scenarios := map[string]bool{}
	for _, s := range items {
		scenarios[s.Scenario] = true
	}
	fmt.Fprintf(w, "\nSKIPPED: %d scenario(s) were not fully checked: the target %q cannot observe these steps, so they were skipped, not passed:\n", len(scenarios), items[0].Target)
	for _, s := range items {
		fmt.Fprintf(w, "  - %s: %s\n", s.Scenario, s.Reason)
	}
}
