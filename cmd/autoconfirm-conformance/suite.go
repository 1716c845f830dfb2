package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/poolshape"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// suiteOptions are the flags of a run of the scenarios.
type suiteOptions struct {
	target, tags, format       string
	concurrency                int
	seed                       int64
	noColors, verbose, unmask  bool
	brief                      bool
	function, poolID, clientID string
	policy, lookup             string
	emulator, runID            string
	// cognitoEndpoint and lambdaEndpoint are the local stack's, under
	// --emulator autoconfirm-local.
	cognitoEndpoint, lambdaEndpoint string
	reportDir, implementation       string
	profile, features               string
	fixtures                        string
	expectCode, expectFunction      string
	// shape is the pool's shape, from its flags.
	shape *poolshape.Flags
}

func suiteFlags(o *suiteOptions, getenv func(string) string) *flag.FlagSet {
	fs := flag.NewFlagSet("autoconfirm-conformance", flag.ContinueOnError)
	fs.StringVar(&o.target, "target", envOr(getenv, "CONFORMANCE_TARGET", "inprocess"), "inprocess, lambda or pool (env CONFORMANCE_TARGET)")
	fs.StringVar(&o.profile, "profile", getenv("PROFILE"), "the profiles to judge, comma-separated: cognito, confirm, verify-email, verify-phone (auto-confirm names those three), alias-safe, defensive, autoconfirm, or your own; all for every built-in one (default all for inprocess, else cognito,auto-confirm,alias-safe) (env PROFILE)")
	fs.StringVar(&o.features, "features", getenv("CONFORMANCE_FEATURES"), "`DIR`, a directory of your own .feature files, run with the built-in ones; they use the phrases that autoconfirm-conformance steps lists (env CONFORMANCE_FEATURES)")
	fs.StringVar(&o.fixtures, "fixtures", getenv("CONFORMANCE_FIXTURES"), "a directory of your own events, <name>.json, that features name as \"<name>\"; one with a built-in fixture's name replaces it (env CONFORMANCE_FIXTURES)")
	fs.StringVar(&o.tags, "tags", getenv("TAGS"), "run only scenarios matching this godog tag expression, e.g. '@alias' or '~@faults' (env TAGS)")
	fs.StringVar(&o.format, "format", "", "godog formatters, comma-separated: pretty, progress, junit:FILE, cucumber:FILE (default: pretty with colours on a terminal, progress without ANSI in CI or a pipe)")
	fs.IntVar(&o.concurrency, "concurrency", 1, "scenarios run at once; above 1, output is buffered per scenario")
	fs.Int64Var(&o.seed, "seed", 0, "scenario order: 0 file order, -1 random (the seed is printed), N replays seed N")
	fs.BoolVar(&o.noColors, "no-colors", getenv("NO_COLOR") != "", "plain output without ANSI colours (env NO_COLOR)")
	fs.BoolVar(&o.verbose, "verbose", false, "show where each step is defined (pretty format)")
	fs.StringVar(&o.expectCode, "expect-code", getenv("CONFORMANCE_EXPECT_CODE"), "live targets: before any scenario, exit 2 unless the function runs the code at `PATH`, by Lambda's CodeSha256: a deployment zip as it is, or a bootstrap or directory zipped as make package zips it (the lambda target's --function; the pool target's trigger) (env CONFORMANCE_EXPECT_CODE)")
	fs.StringVar(&o.expectFunction, "expect-function", getenv("CONFORMANCE_EXPECT_FUNCTION"), "live targets: before any scenario, exit 2 unless the pool's PreSignUp trigger is this function, version or alias: a name, name:qualifier, or ARN (env CONFORMANCE_EXPECT_FUNCTION)")
	fs.BoolVar(&o.brief, "brief", false, "leave the failure list, the control and the verdict table out of the output; the reports keep them (for a caller that prints them once for several runs, from their run.json files)")
	fs.BoolVar(&o.unmask, "unmask", false, "show email addresses and phone numbers in messages instead of masking them")
	fs.StringVar(&o.function, "function", getenv("CONFORMANCE_FUNCTION"), "lambda target: function name or ARN (env CONFORMANCE_FUNCTION)")
	fs.StringVar(&o.poolID, "pool-id", getenv("COGNITO_USER_POOL_ID"), "user pool id (env COGNITO_USER_POOL_ID)")
	fs.StringVar(&o.clientID, "client-id", getenv("COGNITO_CLIENT_ID"), "app client id (env COGNITO_CLIENT_ID): the pool target signs up through it, the lambda target names it in each event's callerContext; its secret comes from COGNITO_CLIENT_SECRET only")
	fs.StringVar(&o.policy, "alias-policy", envOr(getenv, "ALIAS_POLICY", string(handler.PolicySkipVerify)), "the ALIAS_POLICY the trigger under test runs; scenarios that need another policy are skipped (env ALIAS_POLICY)")
	fs.StringVar(&o.lookup, "alias-lookup", envOr(getenv, "ALIAS_LOOKUP", string(handler.LookupAdminGetUser)), "the ALIAS_LOOKUP the trigger under test runs (admin-get-user or list-users); inprocess runs the handler with it, and scenarios that need the other are skipped live (env ALIAS_LOOKUP)")
	fs.StringVar(&o.emulator, "emulator", "", "name a local emulator whose known gaps skip scenarios: cognito-local, or autoconfirm-local (cognito-local as the local command runs it, with AdminGetUser resolving verified aliases for the trigger)")
	fs.StringVar(&o.cognitoEndpoint, "cognito-endpoint", "", "with --emulator autoconfirm-local: the local pool's endpoint on this machine, which the local command gives; the run then reads no AWS configuration (no ~/.aws files, profiles or AWS_* variables) and uses only this, the lambda endpoint, us-east-1 and dummy credentials")
	fs.StringVar(&o.lambdaEndpoint, "lambda-endpoint", "", "with --emulator autoconfirm-local: the local function's Lambda endpoint on this machine, which the local command gives")
	fs.StringVar(&o.runID, "run-id", getenv("CONFORMANCE_RUN_ID"), "id that makes this run's users unique: 1 to 16 lowercase letters and digits (default random)")
	fs.StringVar(&o.reportDir, "report-dir", getenv("REPORT_DIR"), "write junit.xml, cucumber.json and report.html here (env REPORT_DIR)")
	fs.StringVar(&o.implementation, "implementation", getenv("CONFORMANCE_IMPLEMENTATION"), "what is under test, for the report, e.g. a bootstrap's path and sha256 (default: what the target can tell: the function and its version, the pool's trigger) (env CONFORMANCE_IMPLEMENTATION)")
	o.shape = poolshape.Bind(fs)
	return fs
}

// runSuite runs the scenarios against a target. On SIGINT or SIGTERM it stops
// new sign-ups, deletes what a live run created, and returns 130 without
// waiting for godog, which cannot be cancelled.
func runSuite(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (int, error) {
	var o suiteOptions
	if err := parse(suiteFlags(&o, getenv), args, stdout, false); err != nil {
		return conformance.ExitUsage, err
	}
	// Before any check that can fail: an earlier run's reports must not
	// stay to be read as this run's.
	if o.reportDir != "" {
		if err := conformance.ClearReports(o.reportDir); err != nil {
			return conformance.ExitUsage, err
		}
	}
	run, err := prepareSuite(ctx, o, getenv, stdout)
	if err != nil {
		return conformance.ExitUsage, err
	}
	if o.format == "" {
		// Pretty and coloured for a person at a terminal; compact and plain
		// for CI logs and pipes.
		o.format = "progress"
		if isTerminal(stdout) && getenv("CI") != "true" {
			o.format = "pretty"
		} else {
			o.noColors = true
		}
	}
	// Removed on return, interrupted or not: an interrupted run returns
	// while godog still runs, and the process then exits (red team round 21).
	scratch, err := os.MkdirTemp("", "autoconfirm-suite-")
	if err != nil {
		return conformance.ExitUsage, fmt.Errorf("a directory for the reports: %w", err)
	}
	defer os.RemoveAll(scratch)
	res := conformance.Run(ctx, conformance.Options{
		Target: run.target, Content: autoconfirm.Content(), Format: o.format, Tags: o.tags, Profiles: run.profiles,
		Features: o.features, Fixtures: o.fixtures, Concurrency: o.concurrency, Seed: o.seed, NoColors: o.noColors,
		StepLocations: o.verbose, Implementation: o.implementation, Output: stdout, Errors: stderr,
		ReportDir: o.reportDir, Brief: o.brief, Shape: run.shape, DefaultClaim: o.profile == "", TempDir: scratch,
	})
	return run.finish(ctx, res, o.poolID, stderr), nil
}

// suiteRun is what a suite run judges: its target, with what ends the
// target's run (nil for one that creates nothing), the pool's shape and
// the claimed profiles.
type suiteRun struct {
	target   targets.Target
	closer   func(context.Context) (int, error)
	shape    *poolshape.Shape
	profiles []string
}

// prepareSuite checks the options and opens the target; an error is a
// usage error, and leaves nothing open.
func prepareSuite(ctx context.Context, o suiteOptions, getenv func(string) string, stdout io.Writer) (run suiteRun, err error) {
	if o.concurrency < 1 {
		return run, usageErrorf("--concurrency must be at least 1, got %d", o.concurrency)
	}
	namer, err := targets.NewNamer(o.runID)
	if err != nil {
		return run, usageErrorf("--run-id: %v", err)
	}
	if o.emulator == "autoconfirm-local" {
		namer.KeepShape() // the local pool texts and mails no one
	}
	if run.target, run.closer, err = buildTarget(ctx, o, getenv, namer, func(s string) { fmt.Fprintln(stdout, "autoconfirm-conformance: "+s) }); err != nil {
		return run, usageErrorf("%v", err)
	}
	defer func() {
		if err != nil && run.closer != nil {
			run.closer(ctx)
		}
	}()
	if run.shape, err = suiteShape(o); err != nil {
		return run, usageErrorf("%v", err)
	}
	run.profiles = conformance.DefaultProfiles(o.target == "inprocess")
	if o.profile != "" {
		if run.profiles, err = conformance.ParseProfiles(o.profile); err != nil {
			return run, usageErrorf("%v", err)
		}
	}
	fmt.Fprintf(stdout, "autoconfirm conformance: target %s, profiles %s\n", run.target.Name(), strings.Join(run.profiles, ","))
	if run.closer != nil {
		fmt.Fprintf(stdout, "run %s: test users are named %s…; each is deleted after its scenario\n", namer.RunID(), namer.Prefix())
	}
	return run, nil
}

// finish ends the run's target: a run that ended deletes what its
// scenarios' own cleanup missed; an interrupted one (conformance.Run
// returned without waiting for godog) deletes what the run created, and
// returns 130.
func (run suiteRun) finish(ctx context.Context, res conformance.Result, poolID string, stderr io.Writer) int {
	if res.Status != exitInterrupted {
		if run.closer != nil {
			// Each scenario cleans up after itself; this catches a user created
			// by a call that timed out after its scenario's cleanup.
			if n, err := run.closer(context.WithoutCancel(ctx)); err != nil {
				fmt.Fprintf(stderr, "autoconfirm-conformance: final cleanup deleted %d user(s), then failed: %v\n", n, err)
			} else if n > 0 {
				fmt.Fprintf(stderr, "autoconfirm-conformance: final cleanup deleted %d user(s) that a scenario's own cleanup missed\n", n)
			}
		}
		return res.Status
	}
	if run.closer == nil {
		fmt.Fprintln(stderr, "\nautoconfirm-conformance: interrupted; the run is incomplete and did not pass")
		return exitInterrupted
	}
	fmt.Fprintln(stderr, "\nautoconfirm-conformance: interrupted; deleting the users this run created…")
	cctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	n, err := run.closer(cctx)
	if err != nil {
		fmt.Fprintf(stderr, "autoconfirm-conformance: cleanup incomplete after %d users: %v\n  run `autoconfirm-conformance cleanup --pool-id %s` to remove the rest\n", n, err, poolID)
	} else {
		fmt.Fprintf(stderr, "autoconfirm-conformance: deleted %d user(s); none left\n", n)
	}
	return exitInterrupted
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// suiteShape is the pool's shape the flags give, or nil when none was given:
// then no scenario is left out, as in the default shape.
func suiteShape(o suiteOptions) (*poolshape.Shape, error) {
	if !o.shape.Given() {
		return nil, nil
	}
	s, err := o.shape.Over(poolshape.Default())
	return &s, err
}
