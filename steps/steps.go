// Package steps holds the step definitions of the conformance features. Steps
// are thin: they build an Input, hand it to a Target, and assert on the
// Observation. Nothing in here knows which target it drives.
package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/harness/poolshape"
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/presignup"

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
	sc.StepContext().After(func(ctx context.Context, step *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
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
	})
	sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
		// Runs even when a step failed, so live targets never leave users behind.
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
			failed := (err != nil && !errors.Is(err, godog.ErrSkip)) || cerr != nil
			s.Tally.profileEnd(profileTag(st.in.Tags, s.Profiles), failed, st.skipped > 0, st.checked)
			if failed {
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
		}
		if cerr != nil {
			return ctx, fmt.Errorf("cleaning up after the scenario: %w", cerr)
		}
		return ctx, nil
	})

	for _, p := range phrases {
		sc.Step(p.Pattern, p.bind(st))
	}
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

func (st *scenario) policyIs(p string) error {
	st.in.Policy = handler.Policy(p)
	return nil
}

func (st *scenario) lookupIs(op string) error {
	st.in.Lookup = map[string]handler.LookupMode{"AdminGetUser": handler.LookupAdminGetUser, "ListUsers": handler.LookupListUsers}[op]
	return nil
}

func (st *scenario) poolConfig(c targets.PoolConfig) func() error {
	return func() error { st.in.Fakes().Pool = &c; return nil }
}

func (st *scenario) describeFails() error {
	st.in.Fakes().DescribeFault = targets.FaultServerError
	return nil
}

func (st *scenario) disabledHolder(what string) error {
	if err := st.holder(true)(what); err != nil {
		return err
	}
	st.in.Holders[len(st.in.Holders)-1].Disabled = true
	return nil
}

func attrName(what string) string {
	if what == "email address" {
		return presignup.AttrEmail
	}
	return presignup.AttrPhone
}

// eventValue reads the sign-up event's email address or phone number, which
// the existing users in a scenario share.
func (st *scenario) eventValue(what string) (attr, value string, err error) {
	if st.in.Event == nil {
		return "", "", errors.New("name the sign-up event first")
	}
	attr = attrName(what)
	v := gjson.GetBytes(st.in.Event, "request.userAttributes."+gjsonKey(attr))
	if v.Type != gjson.String || v.Str == "" {
		return "", "", fmt.Errorf("the event %q has no %s to share", st.in.Fixture, what)
	}
	return attr, v.Str, nil
}

// addHolder adds an existing user who holds value as attr.
func (st *scenario) addHolder(attr, value string, verified bool) {
	st.in.Holders = append(st.in.Holders, targets.Holder{
		Username:   fmt.Sprintf("existing-holder-%d", len(st.in.Holders)+1),
		Attributes: map[string]string{attr: value, attr + "_verified": strconv.FormatBool(verified)},
	})
}

func (st *scenario) holder(verified bool) func(string) error {
	return func(what string) error {
		attr, value, err := st.eventValue(what)
		if err == nil {
			st.addHolder(attr, value, verified)
		}
		return err
	}
}

func (st *scenario) holderOf(what, value string) error {
	st.addHolder(attrName(what), value, true)
	return nil
}

func (st *scenario) poolHolds(name string) error {
	b, err := bounded.ReadFS(st.suite.Fixtures, "fixtures/pool/"+name+".json", bounded.Fixture, fixtureRule)
	if err != nil {
		return fmt.Errorf("pool fixture %q: %w (pool fixtures live in fixtures/pool/<name>.json)", name, err)
	}
	var page struct {
		Users []struct {
			Username   string
			Attributes []struct{ Name, Value string }
		}
	}
	if err := json.Unmarshal(b, &page); err != nil {
		return fmt.Errorf("pool fixture %q is not a ListUsers reply: %w", name, err)
	}
	for _, u := range page.Users {
		h := targets.Holder{Username: u.Username, Attributes: map[string]string{}}
		for _, a := range u.Attributes {
			h.Attributes[a.Name] = a.Value
		}
		st.in.Holders = append(st.in.Holders, h)
	}
	return nil
}

func (st *scenario) pageSize(n int) error { st.in.Fakes().PageSize = n; return nil }

func (st *scenario) lookupFault(what string) error {
	f, ok := map[string]targets.Fault{
		"fails with a server error":            targets.FaultServerError,
		"is throttled":                         targets.FaultThrottle,
		"returns a reply that is not JSON":     targets.FaultMalformed,
		"drops the connection":                 targets.FaultReset,
		"never answers":                        targets.FaultHang,
		"reports that the pool does not exist": targets.FaultNoPool,
		"cannot connect":                       targets.FaultRefused,
	}[what]
	if !ok {
		return fmt.Errorf("no fault is called %q", what)
	}
	st.in.Fakes().Fault = f
	return nil
}

// valueFault makes every lookup of the event's email address or phone number
// fail as Cognito fails under load or failure, and nothing else.
func (st *scenario) valueFault(what, how string) error {
	f := map[string]targets.Fault{"is throttled": targets.FaultThrottle, "fails with an internal error": targets.FaultServerError}[how]
	return st.addValueFault(what, f, 0)
}

// lateValue makes every lookup of the value answer right, but late.
func (st *scenario) lateValue(what string, ms int) error {
	return st.addValueFault(what, targets.FaultLate, time.Duration(ms)*time.Millisecond)
}

func (st *scenario) addValueFault(what string, f targets.Fault, delay time.Duration) error {
	attr, value, err := st.eventValue(what)
	if err == nil {
		st.in.ValueFaults = append(st.in.ValueFaults, targets.ValueFault{Attr: attr, Value: value, Fault: f, Delay: delay})
	}
	return err
}

// keptUnderFault is keptOrRefused for a value whose lookups fail: a sign-up
// that failed, because the SDK's retries outlasted the function's time,
// moves no alias either. Whether a trigger answers in time is the cognito
// profile's question (rules §4), not alias safety's.
func (st *scenario) keptUnderFault(what string) error {
	if st.obs != nil && st.obs.Failure != "" {
		return st.holdersKept()
	}
	err := st.keptOrRefused(what)
	if err == nil || len(st.in.ValueFaults) == 0 {
		return err
	}
	how := map[targets.Fault]string{
		targets.FaultThrottle:    "were throttled (TooManyRequestsException)",
		targets.FaultServerError: "failed (InternalErrorException)",
		targets.FaultLate:        "answered late, with the holder",
	}[st.in.ValueFaults[0].Fault]
	return fmt.Errorf("the pool's lookups of this %s %s, and the handler verified it anyway; a guard that does not know who holds a value must not verify it (rules §12): %w", what, how, err)
}

func (st *scenario) manyHolders(n int, what string) error {
	attr, value, err := st.eventValue(what)
	for i := 0; err == nil && i < n; i++ {
		st.addHolder(attr, value, false)
	}
	return err
}

func (st *scenario) deadline(ms int) error {
	st.in.Fakes().Deadline = time.Duration(ms) * time.Millisecond
	return nil
}

func (st *scenario) latency(ms int) error {
	st.in.Fakes().Latency = time.Duration(ms) * time.Millisecond
	return nil
}

func (st *scenario) budget(ms int) error {
	st.in.Fakes().Budget = time.Duration(ms) * time.Millisecond
	return nil
}

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

// judge records that the step running found a response flag right or
// wrong; once wrong in a step, it stays wrong.
func (st *scenario) judge(flag string, right bool) {
	if st.marks == nil {
		st.marks = map[string]string{}
	}
	if st.marks[flag] != "wrong" {
		st.marks[flag] = map[bool]string{true: "right", false: "wrong"}[right]
	}
}

func (st *scenario) expectFlag(got *bool, is string, what string) error {
	want := is == "is"
	st.judge(what, *got == want)
	if *got != want {
		return fmt.Errorf("expected %s %s, but it %s", what, map[bool]string{true: "to be set", false: "to stay unset"}[want], map[bool]string{true: "was set", false: "was not set"}[*got])
	}
	return nil
}

func (st *scenario) confirmed(is string) error {
	if err := st.answered(); err != nil {
		return err
	}
	if st.obs.Confirmed == nil {
		return st.skip("whether the user is confirmed")
	}
	return st.expectFlag(st.obs.Confirmed, is, "autoConfirmUser")
}

func (st *scenario) verified(what, is string) error {
	if err := st.answered(); err != nil {
		return err
	}
	got, flag, err := st.verifyFlag(what)
	if err != nil {
		return err
	}
	return st.expectFlag(got, is, flag)
}

// verifyFlag returns the observed verify flag for the email address or the
// phone number and its name, or a skip when the target cannot observe it.
func (st *scenario) verifyFlag(what string) (*bool, string, error) {
	got, flag := st.obs.EmailVerified, "autoVerifyEmail"
	if what == "phone number" {
		got, flag = st.obs.PhoneVerified, "autoVerifyPhone"
	}
	if got == nil {
		return nil, flag, st.skip("whether the " + what + " is verified")
	}
	return got, flag, nil
}

func (st *scenario) refused() error {
	if st.obs == nil {
		return errors.New("the sign-up has not been sent")
	}
	if !st.obs.Refused {
		return fmt.Errorf("expected the sign-up to be refused, but it was accepted with %s", gjson.GetBytes(st.obs.Response, "response").Raw)
	}
	return nil
}

// said is the refusal's text as a failure quotes it: the checks read it
// whole, and a report keeps what bounded.HandlerText allows (rules §17).
func (st *scenario) said() string {
	return bounded.Text(st.obs.Message, bounded.HandlerText)
}

func (st *scenario) refusalSays(text string) error {
	if err := st.refused(); err != nil {
		return err
	}
	if !strings.Contains(st.obs.Message, text) {
		return fmt.Errorf("expected the refusal to say %q, but it said %q", text, st.said())
	}
	return nil
}

func (st *scenario) refusalIs(text string) error {
	if err := st.refused(); err != nil {
		return err
	}
	if st.obs.Message != text {
		return fmt.Errorf("expected the refusal\n  %q\nbut it was\n  %q", text, st.said())
	}
	return nil
}

func (st *scenario) refusalAnonymous() error {
	if err := st.refused(); err != nil {
		return err
	}
	for _, h := range st.in.Holders {
		if h.Username != "" && strings.Contains(st.obs.Message, h.Username) {
			return fmt.Errorf("the refusal names the other user: %q", st.said())
		}
		for k, v := range h.Attributes {
			if !strings.HasSuffix(k, "_verified") && v != "" && strings.Contains(st.obs.Message, v) {
				return fmt.Errorf("the refusal quotes the other user's %s: %q", k, st.said())
			}
		}
	}
	return nil
}

// restUnchanged checks that the event comes back byte for byte, but for the
// value of "response": autoconfirm's promise, since it splices the flags in
// and touches nothing else. Cognito itself reads only "response".
func (st *scenario) restUnchanged() error {
	if err := st.answered(); err != nil {
		return err
	}
	if st.obs.Response == nil {
		return st.skip("the returned event itself")
	}
	return sameBytesBut(st.sent(), st.obs.Response, "response")
}

func (st *scenario) exactlyUnchanged() error {
	if err := st.answered(); err != nil {
		return err
	}
	if st.obs.Response == nil {
		return st.skip("the returned event itself")
	}
	return sameBytesBut(st.sent(), st.obs.Response, "")
}

// sent is the event as the target sent it.
func (st *scenario) sent() []byte {
	if st.obs.Sent != nil {
		return st.obs.Sent
	}
	return st.in.Event
}

// sameBytesBut compares two events byte for byte, leaving out the value of
// the top-level member named skip (unless skip is empty). It names the first
// difference, so that a reformatted event says what moved.
func sameBytesBut(in, out []byte, skip string) error {
	if !gjson.ValidBytes(out) {
		return fmt.Errorf("the function returned invalid JSON: %.200s", out)
	}
	a, b := in, out
	if skip != "" {
		ri, ro := gjson.GetBytes(in, skip), gjson.GetBytes(out, skip)
		if !ri.Exists() || !ro.Exists() {
			return fmt.Errorf("the member %q is missing from the %s, so the rest cannot be compared", skip, map[bool]string{true: "event sent", false: "event returned"}[!ri.Exists()])
		}
		a = cut(in, ri)
		b = cut(out, ro)
	}
	if bytes.Equal(a, b) {
		return nil
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-40)
	return fmt.Errorf("the event came back changed from byte %d on (a handler that decodes and re-encodes the event reorders, drops or adds members):\n sent:     …%s…\n returned: …%s…",
		i, compact(string(a[from:min(len(a), i+60)])), compact(string(b[from:min(len(b), i+60)])))
}

// cut returns event without the bytes of the value r, which gjson found in it.
func cut(event []byte, r gjson.Result) []byte {
	if r.Index <= 0 || r.Index+len(r.Raw) > len(event) {
		return event
	}
	return append(append([]byte(nil), event[:r.Index]...), event[r.Index+len(r.Raw):]...)
}

var spaces = regexp.MustCompile(`\s+`)

func compact(s string) string { return spaces.ReplaceAllString(s, " ") }

func (st *scenario) lookups() ([]targets.Lookup, error) {
	if st.obs == nil {
		return nil, errors.New("the sign-up has not been sent")
	}
	if st.obs.Lookups == nil {
		return nil, st.skip("the lookups the function makes")
	}
	return st.obs.Lookups, nil
}

func (st *scenario) noLookups() error {
	l, err := st.lookups()
	if err != nil {
		return err
	}
	if len(l) != 0 {
		return fmt.Errorf("expected no lookup, got %d: %s", len(l), l)
	}
	return nil
}

// lookupsFor returns the event's value of what and the lookups made.
func (st *scenario) lookupsFor(what string) (attr, value string, l []targets.Lookup, err error) {
	if attr, value, err = st.eventValue(what); err != nil {
		return "", "", nil, err
	}
	l, err = st.lookups()
	return attr, value, l, err
}

func (st *scenario) askedAbout(what string) error {
	attr, value, l, err := st.lookupsFor(what)
	if err != nil {
		return err
	}
	for _, x := range l {
		if x.Exactly(attr, value) {
			return nil
		}
	}
	return fmt.Errorf("expected a lookup of exactly the %s %q, got %s", what, value, l)
}

func (st *scenario) onlyExact(what string) error {
	attr, value, l, err := st.lookupsFor(what)
	if err != nil {
		return err
	}
	for _, x := range l {
		if !x.Exactly(attr, value) {
			return fmt.Errorf("the lookup %s asks about more than the %s %q", x, what, value)
		}
	}
	return nil
}

func (st *scenario) lookedUpTimes(n int) error {
	l, err := st.lookups()
	if err != nil {
		return err
	}
	if len(l) != n {
		return fmt.Errorf("expected %d lookups, got %d: %s", n, len(l), l)
	}
	return nil
}

func (st *scenario) answeredWithin(ms int) error {
	if st.obs == nil {
		return errors.New("the sign-up has not been sent")
	}
	if limit := time.Duration(ms) * time.Millisecond; st.obs.Elapsed > limit {
		return fmt.Errorf("the answer took %s, over the %s the scenario allows", st.obs.Elapsed.Round(time.Millisecond), limit)
	}
	return nil
}

// gjsonKey escapes a key for a gjson path.
func gjsonKey(k string) string {
	return strings.NewReplacer(".", `\.`, "*", `\*`, "?", `\?`).Replace(k)
}
