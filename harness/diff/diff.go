package diff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/presignup"
)

// Side is one handler under comparison: a target that sends a case's
// sign-up to it, and its name in the report.
type Side struct {
	Name   string
	Target targets.Target
	// Implementation names what runs, for the report.
	Implementation string
}

// Options configure a differential run.
type Options struct {
	A, B  Side
	Cases []Case
	// Ignore lists difference kinds a team has decided are fine.
	Ignore []string
	// Concurrency is the cases in flight at once; each side's calls to
	// Cognito are paced by its target.
	Concurrency int
	// ShrinkSteps bounds the sign-ups spent shrinking each difference.
	ShrinkSteps int
	// Progress hears how far the run is; nil discards.
	Progress io.Writer
}

// Kinds are the kinds of difference, for --ignore.
var Kinds = []string{"outcome", "refusal-text", "failure", "autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone"}

// CheckKinds refuses a kind of difference that is not one of Kinds, and
// a list that holds every kind: that diff would check nothing, and must
// not say that both sides decided every sign-up alike.
func CheckKinds(kinds []string) error {
	for _, k := range kinds {
		if !slices.Contains(Kinds, k) {
			return fmt.Errorf("--ignore %q is not a kind of difference; the kinds are %s", k, strings.Join(Kinds, ", "))
		}
	}
	for _, k := range Kinds {
		if !slices.Contains(kinds, k) {
			return nil
		}
	}
	return fmt.Errorf("--ignore lists every kind of difference (%s), so the diff would check nothing: leave out at least one", strings.Join(Kinds, ", "))
}

// Difference is one way the two sides decide differently, once, with how
// many cases showed it and the smallest case that does.
type Difference struct {
	Kind string `json:"kind"`
	// Source, Email and Phone say what sign-ups show it: the trigger source,
	// the class of the value the kind concerns and how it is held.
	Source string `json:"source"`
	Value  string `json:"value,omitempty"`
	// A and B are the sides' decisions on Example.
	A Decision `json:"a"`
	B Decision `json:"b"`
	// Category ranks it by harm, Rank is the category's place (1 is the
	// most harmful), and Harm says why it is in its category.
	Category Category `json:"category"`
	Rank     int      `json:"rank"`
	Harm     string   `json:"harm,omitempty"`
	// Takeover is set when a side lets the sign-up take over another
	// user's alias; those come first.
	Takeover bool `json:"alias_takeover,omitempty"`
	// Count is how many cases showed it; First names the first.
	Count int    `json:"count"`
	First string `json:"first"`
	// Example is the smallest case found that shows it; Holders says who
	// holds its values.
	Example     Case   `json:"-"`
	ExampleJSON string `json:"example"`
	Holders     string `json:"holders"`
	// ShrunkFrom is the first case's size in bytes; ShrinkSteps the
	// sign-ups spent shrinking it.
	ShrunkFrom  int `json:"shrunk_from_bytes"`
	ShrinkSteps int `json:"shrink_steps"`
}

// key groups cases that show the same difference in the same category, so
// that shrinking keeps an example in its category.
func (d Difference) key() string {
	return string(d.Category) + "\x00" + d.baseKey()
}

// baseKey is the key without the category.
func (d Difference) baseKey() string {
	return strings.Join([]string{d.Kind, d.Source, d.Value, d.A.label(d.Kind), d.B.label(d.Kind)}, "\x00")
}

// label is what of a decision a kind compares.
func (d Decision) label(kind string) string {
	switch kind {
	case "outcome", "failure":
		return d.Outcome
	case "refusal-text":
		return d.Message
	case "autoConfirmUser":
		return fmt.Sprint(d.Confirm)
	case "autoVerifyEmail":
		return fmt.Sprint(d.Email)
	case "autoVerifyPhone":
		return fmt.Sprint(d.Phone)
	}
	return ""
}

// Result is a differential run's outcome.
type Result struct {
	A, B        Side
	Cases       int
	Differences []Difference
	// Nondeterministic lists, once per side, a side that decided the same
	// sign-up two ways on two sends; Folded counts the differences left
	// out because they are of what such a side decides two ways.
	Nondeterministic []Nondeterminism
	Folded           int
	Ignored          map[string]int
	Elapsed          time.Duration
	SignUps          int
}

// Failed says whether the diff found anything: a difference, or a side
// whose decisions cannot be compared because they change between sends.
func (r Result) Failed() bool { return len(r.Differences) > 0 || len(r.Nondeterministic) > 0 }

// compare lists the kinds of difference between two decisions on c.
func compare(c Case, a, b Decision) []Difference {
	cat, why, takeover := categorise(c, a, b)
	mk := func(kind, value string) Difference {
		return Difference{Kind: kind, Source: c.Event.TriggerSource, Value: value, A: a, B: b,
			Category: cat, Rank: cat.Rank(), Harm: why, Takeover: takeover}
	}
	attrs := c.Event.Request.UserAttributes
	describe := func(attr string, h Holding) string {
		s := attr + " " + class(attrs, attr)
		if h != Free && h != "" {
			s += ", " + string(h)
		}
		return s
	}
	switch {
	case a.Outcome != b.Outcome && (a.Outcome == Failed || b.Outcome == Failed):
		return []Difference{mk("failure", "")}
	case a.Outcome != b.Outcome:
		return []Difference{mk("outcome", "")}
	case a.Outcome == Refused && a.Message != b.Message:
		return []Difference{mk("refusal-text", "")}
	case a.Outcome != Accepted:
		return nil
	}
	var out []Difference
	if a.Confirm != b.Confirm {
		out = append(out, mk("autoConfirmUser", ""))
	}
	if a.Email != b.Email {
		out = append(out, mk("autoVerifyEmail", describe(presignup.AttrEmail, c.Email)))
	}
	if a.Phone != b.Phone {
		out = append(out, mk("autoVerifyPhone", describe(presignup.AttrPhone, c.Phone)))
	}
	return out
}

// Run sends every case to both sides, groups the differences, sends a few
// cases of each again to tell a side that decides at random from a
// difference, ranks them by harm, and shrinks each to the smallest case
// that still shows it.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Concurrency < 1 {
		o.Concurrency = 4
	}
	if o.ShrinkSteps == 0 {
		o.ShrinkSteps = 150
	}
	if err := CheckKinds(o.Ignore); err != nil {
		return Result{}, err
	}
	res := Result{A: o.A, B: o.B, Cases: len(o.Cases), Ignored: map[string]int{}}
	start := time.Now()
	r := &runner{o: o}
	decisions, err := r.sendAll(ctx, o.Cases)
	if err != nil {
		return res, err
	}
	groups := r.group(decisions, res.Ignored)
	flips, err := r.recheck(ctx, groups, decisions)
	if err != nil {
		return res, err
	}
	res.Differences, res.Nondeterministic, res.Folded = r.settle(groups, flips)
	rank(res.Differences)
	var said time.Time
	for i := range res.Differences {
		// A progress line, then one every 15 s, not one per difference.
		if time.Since(said) > 15*time.Second {
			r.say("shrinking difference %d of %d to its smallest event", i+1, len(res.Differences))
			said = time.Now()
		}
		if err := r.shrink(ctx, &res.Differences[i]); err != nil {
			return res, err
		}
	}
	res.SignUps = r.signUps
	res.Elapsed = time.Since(start)
	return res, nil
}

// sendAll sends every case to both sides once and returns their decisions.
// Each side's target paces its own calls to Cognito; the group bounds the
// cases in flight and stops sending at the first error.
func (r *runner) sendAll(ctx context.Context, cases []Case) ([][2]Decision, error) {
	decisions := make([][2]Decision, len(cases))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.Concurrency)
	last := time.Now()
	for i, c := range cases {
		if gctx.Err() != nil {
			break
		}
		if time.Since(last) > 10*time.Second {
			r.say("%d of %d sign-ups sent to both sides", i, len(cases))
			last = time.Now()
		}
		g.Go(func() error {
			a, b, err := r.both(gctx, c)
			if err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
			decisions[i] = [2]Decision{a, b}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return decisions, ctx.Err()
}

// group is one difference and the first cases that showed it.
type group struct {
	d       Difference
	members []int
}

// group gathers the cases' differences by key, in the order found, and
// counts the ignored ones.
func (r *runner) group(decisions [][2]Decision, ignored map[string]int) []group {
	var groups []group
	found := map[string]int{} // key -> index in groups
	for i, c := range r.o.Cases {
		for _, d := range compare(c, decisions[i][0], decisions[i][1]) {
			if slices.Contains(r.o.Ignore, d.Kind) {
				ignored[d.Kind]++
				continue
			}
			if j, ok := found[d.key()]; ok {
				groups[j].d.Count++
				if len(groups[j].members) < recheckPerGroup {
					groups[j].members = append(groups[j].members, i)
				}
				continue
			}
			found[d.key()] = len(groups)
			d.Count, d.First, d.Example = 1, c.Name, c
			groups = append(groups, group{d: d, members: []int{i}})
		}
	}
	return groups
}

type runner struct {
	o       Options
	mu      sync.Mutex
	signUps int
}

func (r *runner) say(format string, a ...any) {
	if r.o.Progress != nil {
		fmt.Fprintf(r.o.Progress, "diff: "+format+"\n", a...)
	}
}

// both sends c to each side, one after the other, and cleans up after it.
func (r *runner) both(ctx context.Context, c Case) (Decision, Decision, error) {
	a, err := r.one(ctx, r.o.A, c)
	if err != nil {
		return a, a, fmt.Errorf("%s: %w", r.o.A.Name, err)
	}
	b, err := r.one(ctx, r.o.B, c)
	if err != nil {
		return a, b, fmt.Errorf("%s: %w", r.o.B.Name, err)
	}
	return a, b, nil
}

func (r *runner) one(ctx context.Context, s Side, c Case) (Decision, error) {
	in := c.Input()
	obs, err := s.Target.Run(ctx, in)
	cerr := s.Target.Cleanup(context.WithoutCancel(ctx), in)
	r.mu.Lock()
	r.signUps++
	r.mu.Unlock()
	if errors.Is(err, targets.ErrCannot) {
		return Decision{}, fmt.Errorf("this side cannot send that sign-up: %w", err)
	}
	if err != nil {
		return Decision{}, err
	}
	if cerr != nil {
		return Decision{}, fmt.Errorf("cleaning up after the sign-up: %w", cerr)
	}
	return decide(c, obs), nil
}

// shrink replaces d's example with the smallest case found that shows the
// same difference: it takes away holders, entries and characters one at a
// time, for as long as the difference remains, within the step budget.
func (r *runner) shrink(ctx context.Context, d *Difference) error {
	best := d.Example
	d.ShrunkFrom = len(best.JSON())
	want := d.key()
	steps := 0
	for progress := true; progress && steps < r.o.ShrinkSteps; {
		progress = false
		candidates := smaller(best)
		sort.SliceStable(candidates, func(i, j int) bool { return size(candidates[i]) < size(candidates[j]) })
		for _, c := range candidates {
			if steps >= r.o.ShrinkSteps {
				break
			}
			steps++
			a, b, err := r.both(ctx, c)
			if err != nil {
				return err
			}
			for _, got := range compare(c, a, b) {
				if got.key() == want {
					best, progress = c, true
					d.A, d.B = a, b
					break
				}
			}
			if progress {
				break
			}
		}
	}
	d.Example, d.ShrinkSteps = best, steps
	d.Category, d.Harm, d.Takeover = categorise(best, d.A, d.B) // the same category: the key holds it
	d.Rank = d.Category.Rank()
	d.ExampleJSON = string(best.JSON())
	d.Holders = holders(best)
	return nil
}

// holders says who holds a case's values.
func holders(c Case) string {
	var parts []string
	if c.Email != Free && c.Email != "" {
		parts = append(parts, "the email address is "+string(c.Email))
	}
	if c.Phone != Free && c.Phone != "" {
		parts = append(parts, "the phone number is "+string(c.Phone))
	}
	if len(parts) == 0 {
		return "nobody else holds its values"
	}
	return strings.Join(parts, "; ")
}
