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

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/targets"
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

// CheckKinds refuses a kind of difference that is not one of Kinds.
func CheckKinds(kinds []string) error {
	for _, k := range kinds {
		if !slices.Contains(Kinds, k) {
			return fmt.Errorf("--ignore %q is not a kind of difference; the kinds are %s", k, strings.Join(Kinds, ", "))
		}
	}
	return nil
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

// key groups cases that show the same difference.
func (d Difference) key() string {
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
	Ignored     map[string]int
	Elapsed     time.Duration
	SignUps     int
}

// compare lists the kinds of difference between two decisions on c.
func compare(c Case, a, b Decision) []Difference {
	mk := func(kind, value string) Difference {
		return Difference{Kind: kind, Source: c.Event.TriggerSource, Value: value, A: a, B: b}
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
		out = append(out, mk("autoVerifyEmail", describe(handler.AttrEmail, c.Email)))
	}
	if a.Phone != b.Phone {
		out = append(out, mk("autoVerifyPhone", describe(handler.AttrPhone, c.Phone)))
	}
	return out
}

// Run sends every case to both sides, groups the differences, and shrinks
// each to the smallest case that still shows it.
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
	found := map[string]int{} // key -> index in res.Differences
	// Each side's target paces its own calls to Cognito; the group bounds
	// the cases in flight and stops sending at the first error.
	decisions := make([][2]Decision, len(o.Cases))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	last := time.Now()
	for i, c := range o.Cases {
		if gctx.Err() != nil {
			break
		}
		if time.Since(last) > 10*time.Second {
			r.say("%d of %d sign-ups sent to both sides", i, len(o.Cases))
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
			return res, ctx.Err()
		}
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	for i, c := range o.Cases {
		for _, d := range compare(c, decisions[i][0], decisions[i][1]) {
			if slices.Contains(o.Ignore, d.Kind) {
				res.Ignored[d.Kind]++
				continue
			}
			k := d.key()
			if j, ok := found[k]; ok {
				res.Differences[j].Count++
				continue
			}
			found[k] = len(res.Differences)
			d.Count, d.First, d.Example = 1, c.Name, c
			res.Differences = append(res.Differences, d)
		}
	}
	sort.SliceStable(res.Differences, func(i, j int) bool {
		return slices.Index(Kinds, res.Differences[i].Kind) < slices.Index(Kinds, res.Differences[j].Kind)
	})
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
