// Package steps holds the step definitions of the conformance features. Steps
// are thin: they build an Input, hand it to a Target, and assert on the
// Observation. Nothing in here knows which target it drives.
package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/autoconfirm/autoconfirm/harness/poolshape"
	"github.com/autoconfirm/autoconfirm/harness/targets"

	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// Suite wires the steps to one target and one set of fixtures.
type Suite struct {
	Target targets.Target
	// Profiles are the profiles judged, to count acceptance by.
	Profiles []string
	// Fixtures is a file system whose root holds the fixtures directory.
	Fixtures fs.FS
	// Skips collects every skipped step with its reason.
	Skips *SkipLog
	// Tally, if set, counts the scenarios by what was checked.
	Tally *Tally
	// Shape, if set, is the pool's shape: a scenario whose sign-up it
	// refuses before the trigger runs is not applicable (rules §9).
	Shape *poolshape.Shape

	mu    sync.Mutex
	setup error
}

// SetupError is the first error a target marked targets.ErrSetup: a set-up
// that no scenario can get past. Once there is one, every scenario left
// stops at its sign-up with it.
func (s *Suite) SetupError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.setup
}

func (s *Suite) recordSetup(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.setup == nil {
		s.setup = err
	}
}

// scenario is the state of one scenario. godog calls InitializeScenario once
// per scenario, so each gets its own, even when scenarios run concurrently.
type scenario struct {
	suite *Suite
	in    targets.Input
	obs   *targets.Observation
	name  string
	// checked and skipped count this scenario's steps by status.
	checked, skipped int
	// failure describes the first failed step, if any.
	failure Failure
	// na is why the pool's shape leaves this scenario out, or "".
	na string
	// steps are the scenario's step texts, as written.
	steps []string
	// marks holds, for the step running, each response flag it judged:
	// right or wrong. The report marks the flag in the returned event.
	marks map[string]string
}

// InitializeScenario registers the steps for one scenario.
func (s *Suite) InitializeScenario(sc *godog.ScenarioContext) {
	st := &scenario{suite: s}
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		st.name = p.Name
		st.failure = Failure{Scenario: p.Name, URI: p.Uri, AstNodeIDs: p.AstNodeIds}
		for _, step := range p.Steps {
			st.steps = append(st.steps, step.Text)
		}
		for _, t := range p.Tags {
			st.in.Tags = append(st.in.Tags, t.Name)
		}
		return ctx, nil
	})
	sc.StepContext().After(st.afterStep)
	sc.After(st.after)
	for _, p := range phrases {
		sc.Step(p.Pattern, p.bind(st))
	}
}

// afterStep notes the first failed step, and counts the skipped ones and
// the checks that passed; the flags a step marked go with it as an
// attachment.
func (st *scenario) afterStep(ctx context.Context, step *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
	switch {
	case status == godog.StepFailed && st.failure.Step == "":
		st.failure.Step = step.Text
		if err != nil {
			st.failure.Error = err.Error()
		}
	case status == godog.StepSkipped:
		st.skipped++
	case status == godog.StepPassed && step.Type == messages.PickleStepType_OUTCOME:
		st.checked++
	}
	if len(st.marks) > 0 {
		b, _ := json.Marshal(st.marks)
		ctx = godog.Attach(ctx, godog.Attachment{Body: b, FileName: FlagsAttachment, MediaType: "application/json"})
		st.marks = nil
	}
	return ctx, nil
}

// after cleans up after the scenario, even when a step failed, so that
// live targets never leave users behind, and counts what it found.
func (st *scenario) after(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
	s := st.suite
	cerr := s.Target.Cleanup(context.WithoutCancel(ctx), &st.in)
	if st.na != "" && s.Tally != nil && cerr == nil {
		s.Tally.notApplicable(profileTag(st.in.Tags, s.Profiles), st.name, st.na)
		return ctx, nil
	}
	st.recordError()
	if s.Tally != nil && st.obs != nil {
		s.Tally.sent(profileTag(st.in.Tags, s.Profiles), triggerSource(st.sent()), !st.obs.Refused)
		s.Tally.answered(st.obs)
	}
	if s.Tally != nil {
		st.tallyEnd(err, cerr)
	}
	if cerr != nil {
		return ctx, fmt.Errorf("cleaning up after the scenario: %w", cerr)
	}
	return ctx, nil
}

// tallyEnd counts the scenario's end for its profile, and its failure,
// with the step and error that failed it, or its cleanup's.
func (st *scenario) tallyEnd(err, cerr error) {
	s := st.suite
	failed := (err != nil && !errors.Is(err, godog.ErrSkip)) || cerr != nil
	s.Tally.profileEnd(profileTag(st.in.Tags, s.Profiles), failed, st.skipped > 0, st.checked)
	if !failed {
		return
	}
	f := st.failure
	f.Fixture = st.in.Fixture
	if !st.in.Generated && f.Fixture != "" {
		f.Fixture = FixturePath(f.Fixture)
	}
	if cerr != nil && f.Step == "" {
		f.Step, f.Error = "(cleaning up after the scenario)", cerr.Error()
	} else if f.Error == "" && err != nil {
		f.Error = err.Error()
	}
	s.Tally.fail(f)
}

func (st *scenario) skip(reason string) error {
	if st.suite.Skips != nil {
		st.suite.Skips.Add(st.suite.Target.Name(), st.name, reason)
	}
	return fmt.Errorf("%w: %s cannot observe this: %s", godog.ErrSkip, st.suite.Target.Name(), reason)
}

// --- Given ---

func (st *scenario) signsUpWith(name string) error {
	b, err := bounded.ReadFS(st.suite.Fixtures, FixturePath(name), bounded.Fixture, fixtureRule)
	if err != nil {
		return fmt.Errorf("fixture %q: %w (fixtures live in fixtures/<name>.json)", name, err)
	}
	st.in.Fixture, st.in.Event = name, b
	return nil
}

func (st *scenario) signsUpWithGenerated(kind string) error {
	b, err := generated(st.suite.Fixtures, kind)
	if err != nil {
		return err
	}
	st.in.Fixture, st.in.Event, st.in.Generated = "generated: "+kind, b, true
	return nil
}

// FixturePath maps a fixture name used in a feature to its file.
func FixturePath(name string) string { return "fixtures/" + name + ".json" }

// fixtureRule names the limit on a fixture's size, for the error.
const fixtureRule = "Lambda's 6 MB limit on an invocation's payload (docs/cognito-rules.md §17); Cognito sends far smaller events"

// --- When ---

func (st *scenario) run(ctx context.Context) (context.Context, error) {
	if st.in.Event == nil {
		return ctx, errors.New("no sign-up event: start the scenario with 'Given a new user signs up with the event \"…\"'")
	}
	if err := st.suite.SetupError(); err != nil {
		return ctx, err
	}
	if reason := st.notApplicable(); reason != "" {
		return ctx, st.leaveOut(reason)
	}
	obs, err := st.suite.Target.Run(ctx, &st.in)
	if errors.Is(err, targets.ErrSetup) {
		st.suite.recordSetup(err)
		return ctx, err
	}
	if errors.Is(err, targets.ErrCannot) {
		return ctx, st.skip(strings.TrimPrefix(err.Error(), targets.ErrCannot.Error()+": "))
	}
	if err != nil {
		return ctx, fmt.Errorf("target %s: %w", st.suite.Target.Name(), err)
	}
	st.obs = obs
	ctx = godog.Attach(ctx, attachment("event.json", st.sent()))
	if obs.Response != nil {
		ctx = godog.Attach(ctx, attachment("response.json", obs.Response))
	}
	if obs.SignUp != nil {
		ctx = godog.Attach(ctx, attachment("signup.json", obs.SignUp))
	}
	if obs.Read != nil {
		ctx = godog.Attach(ctx, attachment("admin-get-user.json", obs.Read))
	}
	if obs.Refused {
		ctx = godog.Attach(ctx, godog.Attachment{Body: []byte(bounded.Text(obs.Message, bounded.HandlerText)), FileName: "error.txt", MediaType: "text/plain"})
	}
	return ctx, nil
}

// maxAttachment bounds what a report carries of one event: godog's
// formatters slow down badly on megabytes, and nobody reads them in a report.
const maxAttachment = 32 << 10

func attachment(name string, b []byte) godog.Attachment {
	if len(b) <= maxAttachment {
		return godog.Attachment{Body: b, FileName: name, MediaType: "application/json"}
	}
	cut := append(b[:maxAttachment:maxAttachment], fmt.Sprintf("\n… cut here: %d bytes in all", len(b))...)
	return godog.Attachment{Body: cut, FileName: name, MediaType: "text/plain"}
}

// --- Then ---

func (st *scenario) answered() error {
	if st.obs == nil {
		return errors.New("the sign-up has not been sent: add 'When the sign-up reaches the pre sign-up trigger'")
	}
	if err := st.unreadable(); err != nil {
		return err
	}
	if st.obs.Refused {
		return fmt.Errorf("the sign-up was refused: %s", st.said())
	}
	return nil
}

// FlagsAttachment is the attachment in which a step names the response
// flags it judged, {"autoVerifyEmail": "wrong"}, for the report.
const FlagsAttachment = "flags.json"
