// Command autoconfirm-conformance runs the autoconfirm sign-up scenarios,
// which it carries inside itself, against a pre sign-up implementation. It
// needs no Go toolchain and no checkout, so it serves as a post-deploy smoke
// test. Run it with --help for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/conformance"
	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/targets"
)

const usage = `autoconfirm-conformance runs the autoconfirm sign-up scenarios against a
Cognito pre sign-up implementation. The features and fixtures are built in.

Usage:
  autoconfirm-conformance [flags]                run the scenarios
  autoconfirm-conformance cleanup --pool-id ID   delete users left by runs (prefix ` + targets.UserPrefix + `)
  autoconfirm-conformance report --out F DIR...  combine the report directories of several runs
                                                 (one per target) into one HTML page with a matrix

Targets (--target, or CONFORMANCE_TARGET):
  inprocess  the autoconfirm handler in this process, with a fake pool (default)
  lambda     a deployed function, through the Lambda Invoke API
             needs --function; --pool-id to seed existing users and point events at that pool
  pool       a real user pool, through SignUp and AdminGetUser
             needs --pool-id and --client-id; a client secret from COGNITO_CLIENT_SECRET

The AWS SDK's usual settings apply: AWS_REGION, credentials, AWS_PROFILE,
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER.

A step that the target cannot observe is skipped, and every skip is listed with
its reason after the summary: a skipped check never counts as a pass. The
live targets make each run's data unique (usernames ` + targets.UserPrefix + `<run>-…,
emails tagged +<run>, fictional +1 NPA 555-01xx phone numbers), delete every
user they create after each scenario, and clean up on SIGINT or SIGTERM.

Exit status: 0 every scenario passed, 1 a scenario failed, 2 usage or
configuration error, 130 interrupted.

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

type options struct {
	target, tags, format       string
	concurrency                int
	seed                       int64
	noColors, verbose, unmask  bool
	function, poolID, clientID string
	policy, lookup             string
	emulator, runID, prefix    string
	reportDir, out             string
	implementation             string
}

func flags(o *options, getenv func(string) string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("autoconfirm-conformance", flag.ContinueOnError)
	// Parse errors are reported by run, help goes to stdout: nothing here
	// writes to the flag package's output.
	fs.SetOutput(io.Discard)
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&o.target, "target", env("CONFORMANCE_TARGET", "inprocess"), "inprocess, lambda or pool (env CONFORMANCE_TARGET)")
	fs.StringVar(&o.tags, "tags", getenv("TAGS"), "run only scenarios matching this godog tag expression, e.g. '@alias' or '~@faults' (env TAGS)")
	fs.StringVar(&o.format, "format", "", "godog formatters, comma-separated: pretty, progress, junit:FILE, cucumber:FILE (default: pretty with colours on a terminal, progress without ANSI in CI or a pipe)")
	fs.IntVar(&o.concurrency, "concurrency", 1, "scenarios run at once; above 1, output is buffered per scenario")
	fs.Int64Var(&o.seed, "seed", 0, "scenario order: 0 file order, -1 random (the seed is printed), N replays seed N")
	fs.BoolVar(&o.noColors, "no-colors", getenv("NO_COLOR") != "", "plain output without ANSI colours (env NO_COLOR)")
	fs.BoolVar(&o.verbose, "verbose", false, "show where each step is defined (pretty format)")
	fs.BoolVar(&o.unmask, "unmask", false, "show email addresses and phone numbers in messages instead of masking them")
	fs.StringVar(&o.function, "function", getenv("CONFORMANCE_FUNCTION"), "lambda target: function name or ARN (env CONFORMANCE_FUNCTION)")
	fs.StringVar(&o.poolID, "pool-id", getenv("COGNITO_USER_POOL_ID"), "user pool id (env COGNITO_USER_POOL_ID)")
	fs.StringVar(&o.clientID, "client-id", getenv("COGNITO_CLIENT_ID"), "pool target: app client id (env COGNITO_CLIENT_ID); its secret comes from COGNITO_CLIENT_SECRET only")
	fs.StringVar(&o.policy, "alias-policy", env("ALIAS_POLICY", string(handler.PolicySkipVerify)), "the ALIAS_POLICY the trigger under test runs; scenarios that need another policy are skipped (env ALIAS_POLICY)")
	fs.StringVar(&o.lookup, "alias-lookup", env("ALIAS_LOOKUP", string(handler.LookupAdminGetUser)), "the ALIAS_LOOKUP the trigger under test runs (admin-get-user or list-users); inprocess runs the handler with it, and scenarios that need the other are skipped live (env ALIAS_LOOKUP)")
	fs.StringVar(&o.emulator, "emulator", "", "name a local emulator whose known gaps skip scenarios: cognito-local")
	fs.StringVar(&o.runID, "run-id", getenv("CONFORMANCE_RUN_ID"), "id that makes this run's users unique (default random)")
	fs.StringVar(&o.prefix, "prefix", targets.UserPrefix, "cleanup: delete users whose username starts with this")
	fs.StringVar(&o.reportDir, "report-dir", getenv("REPORT_DIR"), "write junit.xml, cucumber.json and report.html here (env REPORT_DIR)")
	fs.StringVar(&o.out, "out", "report.html", "report: the combined HTML file to write")
	fs.StringVar(&o.implementation, "implementation", getenv("CONFORMANCE_IMPLEMENTATION"), "what is under test, for the report, e.g. a bootstrap's path and sha256 (default: what the target can tell: the function and its version, the pool's trigger) (env CONFORMANCE_IMPLEMENTATION)")
	return fs
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var sub string
	if len(args) > 0 && (args[0] == "cleanup" || args[0] == "report") {
		sub, args = args[0], args[1:]
	}
	var o options
	fs := flags(&o, getenv, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return conformance.ExitPass
		}
		fmt.Fprintf(stderr, "autoconfirm-conformance: %v\nrun autoconfirm-conformance --help for the flags\n", err)
		return conformance.ExitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "autoconfirm-conformance: "+format+"\n", a...)
		return conformance.ExitUsage
	}
	if sub == "report" {
		if fs.NArg() == 0 {
			return fail("report needs one or more report directories (written with --report-dir)")
		}
		if err := conformance.Combine(o.out, fs.Args()...); err != nil {
			return fail("%v", err)
		}
		fmt.Fprintf(stdout, "report: wrote %s from %d run(s)\n", o.out, fs.NArg())
		return conformance.ExitPass
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q; the features are built in, select them with --tags", fs.Arg(0))
	}
	if o.concurrency < 1 {
		return fail("--concurrency must be at least 1, got %d", o.concurrency)
	}
	if sub == "cleanup" {
		return runCleanup(ctx, o, stdout, stderr)
	}
	namer, err := targets.NewNamer(o.runID)
	if err != nil {
		return fail("--run-id: %v", err)
	}
	target, closer, err := buildTarget(ctx, o, getenv, namer)
	if err != nil {
		return fail("%v", err)
	}
	cleanedUp := make(chan struct{})
	if closer == nil {
		// In process there is nothing to clean up, but an interrupted run
		// has not checked everything: it must not go on to exit 0.
		go func() {
			<-ctx.Done()
			fmt.Fprintln(stderr, "\nautoconfirm-conformance: interrupted; the run is incomplete and did not pass")
			os.Exit(130)
		}()
	} else {
		// On SIGINT or SIGTERM: stop new sign-ups, delete what the run created, exit.
		go func() {
			defer close(cleanedUp)
			<-ctx.Done()
			fmt.Fprintln(stderr, "\nautoconfirm-conformance: interrupted; deleting the users this run created…")
			cctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			n, err := closer(cctx)
			if err != nil {
				fmt.Fprintf(stderr, "autoconfirm-conformance: cleanup incomplete after %d users: %v\n  run `autoconfirm-conformance cleanup --pool-id %s` to remove the rest\n", n, err, o.poolID)
			} else {
				fmt.Fprintf(stderr, "autoconfirm-conformance: deleted %d user(s); none left\n", n)
			}
			os.Exit(130)
		}()
	}
	fmt.Fprintf(stdout, "autoconfirm conformance: target %s\n", target.Name())
	if closer != nil {
		fmt.Fprintf(stdout, "run %s: test users are named %s…; each is deleted after its scenario\n", namer.RunID(), namer.Prefix())
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
	res := conformance.Run(conformance.Options{
		Target:         target,
		Content:        autoconfirm.Content(),
		Format:         o.format,
		Tags:           o.tags,
		Concurrency:    o.concurrency,
		Seed:           o.seed,
		NoColors:       o.noColors,
		StepLocations:  o.verbose,
		Implementation: o.implementation,
		Output:         stdout,
		Errors:         stderr,
		ReportDir:      o.reportDir,
	})
	if closer != nil && ctx.Err() != nil {
		// Interrupted: the scenarios failed fast; let the cleanup finish and exit 130.
		<-cleanedUp
		return 130
	}
	if closer != nil {
		// Each scenario cleans up after itself; this catches a user created by
		// a call that timed out after its scenario's cleanup.
		if n, err := closer(context.WithoutCancel(ctx)); err != nil || n > 0 {
			fmt.Fprintf(stderr, "autoconfirm-conformance: final cleanup deleted %d user(s): %v\n", n, err)
		}
	}
	return res.Status
}

// cognitoLocalAdminGetUser is why an AdminGetUser guard cannot be judged on
// existing users against cognito-local (facts §7, round 2).
const cognitoLocalAdminGetUser = "not observable with cognito-local: its AdminGetUser resolves an email address or phone number only in email-as-username pools and ignores *_verified, so an AdminGetUser guard finds no existing user there whatever it does"

// emulatorPoolLimits are the known gaps that show only through SignUp.
var emulatorPoolLimits = map[string]map[string]string{
	"cognito-local": {
		"@empty-value": "cognito-local drops an attribute sent empty in SignUp before the trigger runs, so an empty value never reaches the trigger at pool depth and the scenario would pass whatever the trigger does; the lambda and inprocess targets check it",
	},
}

// emulatorLimits are the known gaps of local emulators, by scenario tag.
var emulatorLimits = map[string]map[string]string{
	"cognito-local": {
		"@filter-escaping": `cognito-local reads \" in a ListUsers filter literally, unlike Cognito, so a value with a quote never matches`,
		"@email-case":      "cognito-local matches ListUsers filters with regard to case, unlike Cognito, so an address written in other letter case is never found there",
	},
}

func buildTarget(ctx context.Context, o options, getenv func(string) string, namer *targets.Namer) (targets.Target, func(context.Context) (int, error), error) {
	policy := handler.Policy(o.policy)
	switch policy {
	case handler.PolicySkipVerify, handler.PolicyReject, handler.PolicyAllow:
	default:
		return nil, nil, fmt.Errorf("--alias-policy %q is not valid; allowed: skip-verify, reject, allow", o.policy)
	}
	lookup := handler.LookupMode(o.lookup)
	switch lookup {
	case handler.LookupAdminGetUser, handler.LookupListUsers:
	default:
		return nil, nil, fmt.Errorf("--alias-lookup %q is not valid; allowed: admin-get-user, list-users", o.lookup)
	}
	limits, ok := emulatorLimits[o.emulator]
	if o.emulator != "" && !ok {
		return nil, nil, fmt.Errorf("--emulator %q is not known; allowed: cognito-local", o.emulator)
	}
	live := targets.LiveOptions{PoolID: o.poolID, Policy: policy, Lookup: lookup, Namer: namer,
		Concurrency: 4, Limits: limits, PoolLimits: emulatorPoolLimits[o.emulator], Unmask: o.unmask}
	if o.emulator == "cognito-local" && lookup == handler.LookupAdminGetUser {
		live.HoldersUnobservable = cognitoLocalAdminGetUser
	}
	switch o.target {
	case "inprocess":
		return &targets.InProcess{Lookup: lookup}, nil, nil
	case "pool":
		if o.poolID == "" || o.clientID == "" {
			return nil, nil, errors.New("--target pool needs --pool-id and --client-id (or COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID)")
		}
		cfg, err := awsConfig(ctx)
		if err != nil {
			return nil, nil, err
		}
		trigger, err := preflight(ctx, cfg, o.poolID, "")
		if err != nil {
			return nil, nil, err
		}
		api := cip.NewFromConfig(cfg, func(o *cip.Options) { o.Retryer = targets.LiveRetry() })
		t := targets.NewPool(api, o.clientID, getenv("COGNITO_CLIENT_SECRET"), live)
		t.Trigger = trigger
		return t, t.Close, nil
	case "lambda":
		if o.function == "" {
			return nil, nil, errors.New("--target lambda needs --function (or CONFORMANCE_FUNCTION)")
		}
		cfg, err := awsConfig(ctx)
		if err != nil {
			return nil, nil, err
		}
		if _, err := preflight(ctx, cfg, o.poolID, o.function); err != nil {
			return nil, nil, err
		}
		var api *cip.Client
		if o.poolID != "" {
			api = cip.NewFromConfig(cfg, func(o *cip.Options) { o.Retryer = targets.LiveRetry() })
		}
		t := targets.NewLambda(lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.Retryer = targets.LiveRetry() }), o.function, api, live)
		return t, t.Close, nil
	}
	return nil, nil, fmt.Errorf("unknown --target %q; use inprocess, lambda or pool", o.target)
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

// preflightTimeout bounds the checks a live run makes before it starts.
const preflightTimeout = 10 * time.Second

// preflight checks, with one cheap read each and no retries, that the pool
// (DescribeUserPool) and the function (a DryRun invoke, which runs nothing)
// answer with the credentials at hand. A run that cannot reach them would
// otherwise report every scenario as failed, or hang on retries. It returns
// the pool's PreSignUp trigger, as the pool names it.
func preflight(ctx context.Context, cfg aws.Config, poolID, function string) (trigger string, err error) {
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	once := func(o *cip.Options) { o.RetryMaxAttempts = 1 }
	if poolID != "" {
		out, err := cip.NewFromConfig(cfg, once).DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
		if err != nil {
			return "", fmt.Errorf("cannot reach the user pool %s in %s before the run: %w\n  check the pool id, AWS_REGION, the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID), cognito-idp:DescribeUserPool on the pool, and AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER if you use an emulator", poolID, cfg.Region, err)
		}
		if out.UserPool != nil && out.UserPool.LambdaConfig != nil {
			trigger = aws.ToString(out.UserPool.LambdaConfig.PreSignUp)
		}
	}
	if function != "" {
		api := lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
		_, err := api.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(function), InvocationType: ltypes.InvocationTypeDryRun})
		if err != nil {
			return "", fmt.Errorf("cannot reach the function %s in %s before the run: %w\n  check the function name or ARN, AWS_REGION, the credentials, lambda:InvokeFunction on it, and AWS_ENDPOINT_URL_LAMBDA if you use an emulator", function, cfg.Region, err)
		}
	}
	return trigger, nil
}

func awsConfig(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return cfg, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return cfg, errors.New("no AWS region: set AWS_REGION (or a region in your AWS profile)")
	}
	return cfg, nil
}

func runCleanup(ctx context.Context, o options, stdout, stderr io.Writer) int {
	if o.poolID == "" {
		fmt.Fprintln(stderr, "autoconfirm-conformance: cleanup needs --pool-id (or COGNITO_USER_POOL_ID)")
		return conformance.ExitUsage
	}
	cfg, err := awsConfig(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "autoconfirm-conformance:", err)
		return conformance.ExitUsage
	}
	api := cip.NewFromConfig(cfg, func(o *cip.Options) { o.Retryer = targets.LiveRetry() })
	n, err := targets.Cleanup(ctx, api, o.poolID, o.prefix, func(p string) { fmt.Fprintln(stdout, "cleanup:", p) })
	if err != nil {
		fmt.Fprintf(stderr, "autoconfirm-conformance: cleanup stopped after deleting %d user(s): %v\n", n, err)
		if strings.Contains(err.Error(), "refusing") {
			return conformance.ExitUsage
		}
		return conformance.ExitFailed
	}
	fmt.Fprintf(stdout, "cleanup: deleted %d user(s) with prefix %s from %s; none left\n", n, o.prefix, o.poolID)
	return conformance.ExitPass
}
