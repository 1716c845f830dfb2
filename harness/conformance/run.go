// Package conformance runs the features against a target with godog and turns
// the result into an exit status: 0 pass, 1 a scenario failed, 2 a usage or
// configuration error.
package conformance

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/autoconfirm/autoconfirm/harness/poolshape"
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/internal/termtext"
	"github.com/autoconfirm/autoconfirm/steps"
)

// Exit statuses, of every command: the only place they are defined.
const (
	ExitPass   = 0
	ExitFailed = 1
	ExitUsage  = 2
	// ExitInterrupted is the status of a run stopped by a signal.
	ExitInterrupted = 130
)

// Options configure one run.
type Options struct {
	Target targets.Target
	// Content holds features/ and fixtures/.
	Content fs.FS
	// Paths inside Content; default features.
	Paths []string
	// Format is godog's format string, e.g. "pretty" or
	// "progress,junit:out.xml,cucumber:out.json".
	Format string
	// Tags is a godog tag expression, e.g. "@alias && ~@slow".
	Tags string
	// Profiles are the profiles judged: only scenarios tagged with one of
	// them run, and the rest are reported as not claimed. Empty runs every
	// scenario.
	Profiles []string
	// Features and Fixtures are a team's own directories of feature files
	// and fixtures, added to Content's; empty for none.
	Features, Fixtures string
	// Concurrency is the number of scenarios run at once.
	Concurrency int
	// Seed orders scenarios: -1 picks a random seed (printed), 0 keeps file order.
	Seed int64
	// Output receives the formatter's output; default stdout.
	Output io.Writer
	// Errors receives usage errors; default stderr.
	Errors io.Writer
	// NoColors turns off ANSI colours.
	NoColors bool
	// StepLocations keeps godog's "# steps.go:65 -> …" step-definition
	// comments in the pretty format.
	StepLocations bool
	// TestingT makes each scenario a subtest.
	TestingT *testing.T
	// ReportDir, when set, receives junit.xml, cucumber.json, report.html
	// and run.json.
	ReportDir string
	// Implementation names what was tested, for the report; empty asks the
	// target, if it is a targets.Describer.
	Implementation string
	// Shape, if set, is the pool's shape: scenarios whose sign-up it refuses
	// before the trigger runs are left out (rules §9). DefaultClaim says the
	// profiles were not chosen by the user, so a profile left with nothing
	// applicable is reported rather than refused.
	Shape        *poolshape.Shape
	DefaultClaim bool
	// Language is the handler's, when the caller knows its runtime: the
	// failures' fixes link to examples in it.
	Language Language
	// Brief leaves the failure list, the control and the verdict table out
	// of the output, for a caller that prints them once for several depths
	// (JudgeDepths, as local does); the reports still hold them.
	Brief bool
	// TempDir, when set, is where Run keeps the report files it writes
	// before it copies them into place, else the system's: a caller that
	// may return before Run does (an interrupted run, which godog cannot
	// stop) gives one it removes itself.
	TempDir string
}

// Result is the outcome of a run.
type Result struct {
	Status int
	Skips  []steps.Skip
	// NotClaimed counts the scenarios left out because they belong to no
	// profile the run judged.
	NotClaimed int
	// Record is what the run recorded in its report directory; nil
	// without one, or when the run reached no verdict.
	Record *Record
}

// Run runs the features once. When ctx ends first, it returns
// ExitInterrupted at once, without waiting for godog, which cannot be
// stopped: the caller ends what the run reaches, and the run then fails.
func Run(ctx context.Context, o Options) Result {
	done := make(chan Result, 1)
	go func() { done <- runOnce(ctx, o) }()
	select {
	case res := <-done:
		return res
	case <-ctx.Done():
		return Result{Status: ExitInterrupted}
	}
}

// runOnce is Run's run, to its end.
func runOnce(ctx context.Context, o Options) Result {
	if o.Target == nil || o.Content == nil {
		return Result{Status: ExitUsage}
	}
	if o.Output == nil {
		o.Output = os.Stdout
	}
	if o.Errors == nil {
		o.Errors = os.Stderr
	}
	outputs, done, err := prepare(&o)
	defer done()
	if err != nil {
		fmt.Fprintln(o.Errors, "autoconfirm-conformance:", err)
		return Result{Status: ExitUsage}
	}
	r := newSession(o)
	if r.docs, r.claimed, err = checkSelection(&r.ts, o.Tags, o.Profiles, !o.DefaultClaim); err != nil {
		fmt.Fprintln(o.Errors, "autoconfirm-conformance:", err)
		return Result{Status: ExitUsage}
	}
	r.narrowClaim()
	status := r.ts.Run()
	// godog reports failure only for some formats (not for "events"): the
	// status is what the run counted, whatever the formatter.
	if _, _, failed, _ := r.tally.Counts(); failed > 0 && status == ExitPass {
		status = ExitFailed
	}
	r.out.flush()
	// A set-up that no scenario could get past is the user's to fix, not
	// the handler's failure: no verdict, exit 2, and no JUnit or cucumber
	// file that would show its scenarios failed.
	if err := r.suite.SetupError(); err != nil {
		fmt.Fprintf(o.Errors, "autoconfirm-conformance: the run stopped: %v\nno verdict was reached; fix the set-up and run again\n", err)
		return Result{Status: ExitUsage}
	}
	if err := copyOutputs(outputs); err != nil && status != ExitUsage {
		fmt.Fprintf(o.Errors, "autoconfirm-conformance: %v\nno verdict is recorded: fix the path and run again\n", err)
		return Result{Status: ExitUsage}
	}
	return r.conclude(ctx, status)
}

// session is one run's suite and what it counts.
type session struct {
	o       Options
	skips   *steps.SkipLog
	tally   *steps.Tally
	suite   *steps.Suite
	out     *summaryWriter
	ts      godog.TestSuite
	docs    []*messages.GherkinDocument
	claimed claim
	// counted are the profiles judged; whole, those claimed before the
	// tags narrowed them, which a suggested claim starts from.
	counted, whole []string
}

func newSession(o Options) *session {
	r := &session{o: o, skips: &steps.SkipLog{}, tally: &steps.Tally{}, counted: o.Profiles}
	if len(r.counted) == 0 {
		r.counted = BuiltinProfiles
	}
	r.whole = r.counted
	r.suite = &steps.Suite{Target: o.Target, Fixtures: o.Content, Skips: r.skips, Tally: r.tally, Profiles: r.counted, Shape: o.Shape}
	r.out = &summaryWriter{w: o.Output, summary: func() string { return r.tally.Summary(o.Target.Name()) }, locations: o.StepLocations}
	r.ts = godog.TestSuite{
		Name:                "autoconfirm",
		ScenarioInitializer: r.suite.InitializeScenario,
		Options: &godog.Options{
			Format:      o.Format,
			Paths:       o.Paths,
			FS:          o.Content,
			Tags:        o.Tags,
			Concurrency: o.Concurrency,
			Randomize:   o.Seed,
			Strict:      true,
			NoColors:    o.NoColors,
			Output:      r.out,
			TestingT:    o.TestingT,
		},
	}
	return r
}

// narrowClaim makes a claim the user did not name profile by profile (the
// default claim, or "all") what the tags select: a profile they leave
// without a scenario is not judged, and is not reported as not observable
// (red team round 25).
func (r *session) narrowClaim() {
	o := r.o
	if o.Tags == "" || !(o.DefaultClaim || slices.Equal(r.counted, BuiltinProfiles)) {
		return
	}
	dropped := slices.DeleteFunc(slices.Clone(r.counted), func(p string) bool { return r.claimed.picked[p] > 0 })
	r.counted = r.claimed.selected(r.counted)
	r.suite.Profiles, r.claimed.asked = r.counted, r.counted
	if len(dropped) > 0 {
		fmt.Fprintf(o.Output, "NOT CLAIMED: the tag expression %q selects scenarios of %s only, so this run judges those, and not %s\n",
			o.Tags, strings.Join(r.counted, ","), strings.Join(dropped, ","))
	}
}

// conclude sends the control, prints what the run found, judges whether it
// passed, and records it.
func (r *session) conclude(ctx context.Context, status int) Result {
	o, tally := r.o, r.tally
	var control steps.Control
	if status != ExitUsage {
		control = r.suite.RunControl(ctx)
	}
	r.skips.Print(o.Output)
	r.claimed.print(o.Output)
	failures := sortFailures(failedScenarios(o.Target.Name(), tally.Failures(), places(r.docs)))
	errs := erroredScenarios(o.Target.Name(), tally.FunctionErrors(), places(r.docs))
	verdicts := tally.Verdicts(r.counted)
	if o.Shape != nil {
		r.claimed.pool, r.claimed.notApplicable = o.Shape.String(), skipMap(tally.NotApplicable())
		steps.PrintNotApplicable(o.Output, r.claimed.pool, tally.NotApplicable())
	}
	if err := notApplicableClaim(o, verdicts); err != nil && status != ExitUsage {
		fmt.Fprintln(o.Errors, "autoconfirm-conformance:", err)
		return Result{Status: ExitUsage, Skips: r.skips.Items()}
	}
	if !o.Brief {
		PrintFailures(o.Output, failures, Advice{Language: o.Language, Ref: SourceRef(), Claimed: r.whole, FlagsSet: tally.FlagsSet()})
		PrintErrors(o.Output, errs)
		fmt.Fprintf(o.Output, "\nCONTROL: an ordinary PreSignUp_SignUp (%s, nothing held), judged only for acceptance: %s\n", steps.FixturePath(steps.ControlFixture), termtext.Line(control.String()))
		if status != ExitUsage {
			steps.PrintVerdicts(o.Output, o.Target.Name(), verdicts)
		}
	}
	res := Result{Status: r.passed(status), Skips: r.skips.Items(), NotClaimed: r.claimed.total()}
	if o.ReportDir != "" && status != ExitUsage {
		res.Status, res.Record = r.record(res, control, verdicts, failures, errs)
	}
	return res
}

// passed is the run's status once it is known to have checked something
// of a handler that accepts some sign-up.
func (r *session) passed(status int) int {
	o, res := r.o, status
	// A run passes only when the handler accepted some ordinary sign-up: a
	// trigger that refuses, crashes, times out or answers unreadably on every one would
	// otherwise pass every profile that allows a refusal.
	if sent, accepted := r.tally.SignUps(); status != ExitUsage && sent > 0 && accepted == 0 {
		fmt.Fprintf(o.Errors, "autoconfirm-conformance: the handler accepted none of the %d PreSignUp_SignUp sign-up(s) sent at the %s depth, the control included: it refused, crashed, timed out or gave an answer Cognito cannot read on every one, so the run did not pass\n", sent, o.Target.Name())
		res = ExitFailed
	}
	// A run passes only when it checked something: a run whose every
	// scenario was beyond the target's sight has not shown anything.
	if passed, unobservable, failed, checked := r.tally.Counts(); status == ExitPass && (checked == 0 || passed+unobservable+failed == 0) {
		fmt.Fprintf(o.Errors, "autoconfirm-conformance: no expectation was checked: the %s target could observe none of the %d scenario(s) run, so the run did not pass\n", o.Target.Name(), unobservable)
		res = ExitFailed
	}
	return res
}

// record writes the report directory, and returns the run's status and
// record: a report that cannot be written records no verdict.
func (r *session) record(res Result, control steps.Control, verdicts []steps.Verdict, failures []FailedScenario, errs []ErroredScenario) (int, *Record) {
	o := r.o
	impl := o.Implementation
	if d, ok := o.Target.(targets.Describer); ok && impl == "" {
		impl = d.Implementation()
	}
	rec := newRecord(o.Target.Name(), impl, res.Status, append(res.Skips, naSkips(o.Target.Name(), r.tally.NotApplicable())...), r.claimed, control.String(), r.tally, verdicts, failures, errs)
	if err := writeReports(o.ReportDir, rec); err != nil {
		fmt.Fprintf(o.Errors, "autoconfirm-conformance: writing the reports: %v\nno verdict is recorded: fix the report directory and run again\n", err)
		return ExitUsage, nil
	}
	fmt.Fprintf(o.Output, "reports: %s (JUnit), %s (cucumber JSON), %s (HTML)\n",
		filepath.Join(o.ReportDir, JUnitFile), filepath.Join(o.ReportDir, CucumberFile), filepath.Join(o.ReportDir, HTMLFile))
	return res.Status, &rec
}

// prepare fills in o's defaults and adds the team's own features. First of
// all, it removes an earlier run's reports from the report directory,
// before any check that can fail, so that none is read as this run's. It
// sends godog's files through a private directory (see formatOutputs), and
// returns them and what removes that directory.
func prepare(o *Options) ([]fileOutput, func(), error) {
	done := func() {}
	if len(o.Paths) == 0 {
		o.Paths = []string{"features"}
	}
	if o.ReportDir != "" {
		if err := os.MkdirAll(o.ReportDir, 0o755); err != nil {
			return nil, done, fmt.Errorf("cannot create the report directory: %w", err)
		}
		if err := ClearReports(o.ReportDir); err != nil {
			return nil, done, err
		}
	}
	if o.Features != "" || o.Fixtures != "" {
		content, err := addOwn(o.Content, o.Features, o.Fixtures)
		if err != nil {
			return nil, done, err
		}
		o.Content = content
		if o.Features != "" {
			o.Paths = append(o.Paths, OwnFeatures)
		}
	}
	if o.Format == "" {
		o.Format = "pretty"
	}
	o.Concurrency = max(o.Concurrency, 1)
	var own []fileOutput
	if o.ReportDir != "" {
		own = []fileOutput{{Name: "junit", Dest: filepath.Join(o.ReportDir, JUnitFile)}, {Name: "cucumber", Dest: filepath.Join(o.ReportDir, CucumberFile)}}
	}
	private, err := os.MkdirTemp(o.TempDir, "autoconfirm-report-")
	if err != nil {
		return nil, done, fmt.Errorf("cannot create a directory for the reports: %w", err)
	}
	done = func() { os.RemoveAll(private) }
	format, outputs, err := formatOutputs(o.Format, own, private)
	o.Format = format
	return outputs, done, err
}
