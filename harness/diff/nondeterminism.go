package diff

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"
)

// A difference is confirmed by sending some of the cases that showed it
// once more to both sides: recheckPerGroup of each difference, and at most
// maxRecheck in all. That is a few sign-ups per difference, against the
// up to 150 spent shrinking each, and none when the sides agree.
const (
	recheckPerGroup = 3
	maxRecheck      = 300
)

// Nondeterminism is a side that decided the same sign-up two ways on two
// sends: its differences are noise, not behaviour, so a report says it
// once instead of listing them.
type Nondeterminism struct {
	// Side is A or B; Spec names its handler.
	Side string `json:"side"`
	Spec string `json:"spec"`
	// Events is how many of the sign-ups sent again it decided two ways;
	// First names the first, and Decisions are its two decisions on it.
	Events    int         `json:"events"`
	First     string      `json:"first"`
	Decisions [2]Decision `json:"decisions"`
	// Example is that sign-up's event; Holders says who holds its values.
	Example     Case   `json:"-"`
	ExampleJSON string `json:"example"`
	Holders     string `json:"holders"`
}

// flip is a side deciding case c two ways: before on the first send,
// after on the second; kinds are how the two differ.
type flip struct {
	side          int
	c             int
	before, after Decision
	kinds         []Difference
}

// recheckOrder picks the cases to send again: the first case of every
// difference, then the second of each, and so on, up to maxRecheck.
func recheckOrder(groups []group) []int {
	var order []int
	seen := map[int]bool{}
	for round := range recheckPerGroup {
		for _, g := range groups {
			if round < len(g.members) && !seen[g.members[round]] && len(order) < maxRecheck {
				seen[g.members[round]] = true
				order = append(order, g.members[round])
			}
		}
	}
	return order
}

// recheck sends the cases recheckOrder picks again to both sides, and
// lists each side that decided one of them otherwise than the first time,
// in what a diff does not ignore.
func (r *runner) recheck(ctx context.Context, groups []group, first [][2]Decision) ([]flip, error) {
	order := recheckOrder(groups)
	if len(order) == 0 {
		return nil, nil
	}
	r.say("sending %d sign-up(s) that showed a difference again, to tell a difference from a side that decides at random", len(order))
	again := make([][2]Decision, len(order))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.Concurrency)
	for i, ci := range order {
		g.Go(func() error {
			a, b, err := r.both(gctx, r.o.Cases[ci])
			if err != nil {
				return fmt.Errorf("%s, sent again: %w", r.o.Cases[ci].Name, err)
			}
			again[i] = [2]Decision{a, b}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var flips []flip
	for i, ci := range order {
		for side := range 2 {
			var kinds []Difference
			for _, d := range compare(r.o.Cases[ci], first[ci][side], again[i][side]) {
				if !slices.Contains(r.o.Ignore, d.Kind) {
					kinds = append(kinds, d)
				}
			}
			if len(kinds) > 0 {
				flips = append(flips, flip{side: side, c: ci, before: first[ci][side], after: again[i][side], kinds: kinds})
			}
		}
	}
	slices.SortFunc(flips, func(x, y flip) int { return x.c - y.c })
	return flips, nil
}

// settle turns groups into the differences to report: it leaves out those
// a nondeterministic side may have made (a case it decided two ways, or
// the same kind of difference on the same source and value), and folds a
// test-only difference into the same difference on events Cognito sends.
func (r *runner) settle(groups []group, flips []flip) ([]Difference, []Nondeterminism, int) {
	noisy, flipped := map[string]bool{}, map[int]bool{}
	for _, f := range flips {
		flipped[f.c] = true
		for _, d := range f.kinds {
			noisy[d.Kind+"\x00"+d.Source+"\x00"+d.Value] = true
		}
	}
	var out []Difference
	folded := 0
	real := map[string]int{} // base key -> index in out, for categories other than test-only
	for _, g := range groups {
		if noisy[g.d.Kind+"\x00"+g.d.Source+"\x00"+g.d.Value] || slices.ContainsFunc(g.members, func(i int) bool { return flipped[i] }) {
			folded++
			continue
		}
		if g.d.Category != TestOnly {
			real[g.d.baseKey()] = len(out)
		}
		out = append(out, g.d)
	}
	var kept []Difference
	for _, d := range out {
		if j, ok := real[d.baseKey()]; ok && d.Category == TestOnly {
			out[j].Count += d.Count
		}
	}
	for _, d := range out {
		if _, ok := real[d.baseKey()]; !ok || d.Category != TestOnly {
			kept = append(kept, d)
		}
	}
	return kept, r.nondeterministic(flips), folded
}

// nondeterministic says once per side which sign-up it decided two ways.
func (r *runner) nondeterministic(flips []flip) []Nondeterminism {
	var out []Nondeterminism
	for side, s := range []Side{r.o.A, r.o.B} {
		var n *Nondeterminism
		for _, f := range flips {
			if f.side != side {
				continue
			}
			if n == nil {
				c := r.o.Cases[f.c]
				n = &Nondeterminism{Side: []string{"A", "B"}[side], Spec: s.Name, First: c.Name, Decisions: [2]Decision{f.before, f.after},
					Example: c, ExampleJSON: string(c.JSON()), Holders: holders(c)}
			}
			n.Events++
		}
		if n != nil {
			out = append(out, *n)
		}
	}
	return out
}
