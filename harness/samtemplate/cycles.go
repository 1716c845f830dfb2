package samtemplate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// conditionCycle finds Conditions that refer to each other, through
// Condition or the condition of an Fn::If, and names the first cycle:
// CloudFormation refuses such a template, and evaluating one would never
// end. It returns nil when there is none.
func (t *Template) conditionCycle() []string {
	deps := func(name string) []string { return conditionsIn(t.conditions[name]) }
	return findCycle(slices.Sorted(maps.Keys(t.conditions)), deps)
}

// conditionsIn lists the conditions that n names, in order.
func conditionsIn(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	var out []string
	switch fn, arg := intrinsic(n); fn {
	case "Condition":
		out = append(out, scalar(arg))
	case "Fn::If":
		if parts := items(arg); len(parts) > 0 {
			out = append(out, scalar(parts[0]))
		}
	}
	for _, c := range n.Content { // an alias is not followed: its anchor is read where it stands
		out = append(out, conditionsIn(c)...)
	}
	return out
}

// findCycle walks the graph that deps gives from each name in turn, and
// returns the first cycle it meets as the path around it, its first name
// again at its end; nil when there is none.
func findCycle(names []string, deps func(string) []string) []string {
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(string) []string
	visit = func(n string) []string {
		switch state[n] {
		case open:
			i := slices.Index(path, n)
			return append(slices.Clone(path[i:]), n)
		case done:
			return nil
		}
		state[n] = open
		path = append(path, n)
		for _, d := range deps(n) {
			if c := visit(d); c != nil {
				return c
			}
		}
		path = path[:len(path)-1]
		state[n] = done
		return nil
	}
	for _, n := range names {
		if c := visit(n); c != nil {
			return c
		}
	}
	return nil
}

// cycleError says which Conditions form a cycle and how to mend it.
func cycleError(path string, cycle []string) error {
	return fmt.Errorf("%s: its Conditions refer to each other in a cycle, %s, which CloudFormation refuses; make one of them stand on parameters alone", path, strings.Join(cycle, " → "))
}
