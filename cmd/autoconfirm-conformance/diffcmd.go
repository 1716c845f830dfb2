package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/diff"
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/harness/targets/open"
	"github.com/autoconfirm/autoconfirm/internal/bounded"
	"github.com/autoconfirm/autoconfirm/internal/local"
	"github.com/autoconfirm/autoconfirm/internal/local/runtimes"
	"github.com/autoconfirm/autoconfirm/internal/local/stack"
)

const diffUsage = `autoconfirm-conformance diff [flags] A B

Sends two handlers the same sign-ups, every fixture and --events generated
ones, and reports where Cognito would act differently on their answers: the
three flags, a refusal and its words, a crash or a timeout. Each difference is
reported once with the smallest event that shows it, ranked by harm: first
those that break cognito or alias-safe (an alias takeover, an answer Cognito
refuses or cannot take), then changed decisions on sign-ups Cognito sends,
last "test-only" events Cognito never sends (an empty or invalid value). A
few sign-ups of each difference are sent again: a side that decides one two
ways is reported once as nondeterministic, not as differences.
Exit 0 when there is none, 1 when there is one, 2 on a setup error.

A and B are handler specs:
  local:RUNTIME:DIR[:HANDLER]   hosted on this machine as the local command hosts it
                                (e.g. local:nodejs22.x:./fn:index.handler)
  lambda:FUNCTION               a deployed function: a name, name:qualifier or ARN;
                                needs --pool-id, where its holders are created as this
                                run's test users and deleted afterwards

Flags:
`

// diffSide is a side of a diff and what stops it.
type diffSide struct {
	diff.Side
	close func()
}

// maxEvents bounds --events, checked before any event is made: each
// generated event is held in memory (a few hundred bytes with its case) and
// sent to both sides as a sign-up, a few milliseconds each at best, so
// 100 000 is tens of megabytes and several minutes; more is a typo.
const maxEvents = 100_000

func runDiff(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (int, error) {
	var o diffOptions
	fs := diffFlags(&o, getenv)
	if err := parse(fs, args, stdout, true); err != nil {
		return conformance.ExitUsage, err
	}
	// Before any check that can fail: an earlier diff's reports must not
	// stay to be read as this one's.
	if err := clearDiff(o.reportDir); err != nil {
		return conformance.ExitUsage, err
	}
	if fs.NArg() != 2 {
		return conformance.ExitUsage, usageErrorf("diff needs two handler specs, A and B, e.g. diff local:provided.al2023:./old local:provided.al2023:./new")
	}
	kinds, cases, err := diffCases(&o, stdout)
	if err != nil {
		return conformance.ExitUsage, err
	}
	var sides []diffSide
	defer func() {
		for _, s := range sides {
			s.close()
		}
	}()
	for i, spec := range fs.Args() {
		env := []multiFlag{o.envA, o.envB}[i]
		s, err := openSide(ctx, spec, env, o.poolID, o.timeout, getenv, stdout)
		if err != nil {
			if ctx.Err() != nil {
				return exitInterrupted, nil
			}
			return conformance.ExitUsage, fmt.Errorf("%s %s: %w", []string{"A", "B"}[i], spec, err)
		}
		sides = append(sides, s)
	}
	res, err := diff.Run(ctx, diff.Options{A: sides[0].Side, B: sides[1].Side, Cases: cases, Ignore: kinds, Progress: stdout})
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "autoconfirm-conformance: interrupted; the diff is incomplete and did not pass")
		return exitInterrupted, nil
	case err != nil: // a side that cannot send a sign-up, or a set-up that stops every one
		return conformance.ExitUsage, fmt.Errorf("the diff stopped: %w", err)
	}
	return reportDiff(res, o.reportDir, stdout)
}

// diffOptions are diff's flags.
type diffOptions struct {
	events                              int
	seed                                uint64
	fixtures, poolID, ignore, reportDir string
	timeout                             time.Duration
	envA, envB                          multiFlag
}

// diffFlags binds diff's flags to o.
func diffFlags(o *diffOptions, getenv func(string) string) *flag.FlagSet {
	fs := flag.NewFlagSet("autoconfirm-conformance diff", flag.ContinueOnError)
	fs.IntVar(&o.events, "events", 1000, "generated events to send, after the fixtures")
	fs.Uint64Var(&o.seed, "seed", 0, "the generator's seed, to replay a run (default random, printed)")
	fs.StringVar(&o.fixtures, "fixtures", getenv("CONFORMANCE_FIXTURES"), "a directory of your own <name>.json events, sent too (env CONFORMANCE_FIXTURES)")
	fs.StringVar(&o.poolID, "pool-id", getenv("COGNITO_USER_POOL_ID"), "for a lambda: side, the user pool where its holders are created (env COGNITO_USER_POOL_ID)")
	fs.StringVar(&o.ignore, "ignore", "", "kinds of difference decided to be fine, comma-separated: "+strings.Join(diff.Kinds, ", "))
	fs.StringVar(&o.reportDir, "report-dir", getenv("REPORT_DIR"), "write diff.txt, diff.json and diff.html here (env REPORT_DIR)")
	fs.DurationVar(&o.timeout, "timeout", 3*time.Second, "a local side's function timeout, as on Lambda")
	fs.Var(&o.envA, "a-env", "KEY=VALUE for a local A's environment; repeat it for more")
	fs.Var(&o.envB, "b-env", "KEY=VALUE for a local B's environment; repeat it for more")
	return fs
}

// diffCases checks --events and --ignore, and returns the kinds ignored
// and the events to send: the built-in fixtures, the team's own, and the
// generated ones, from a seed it prints.
func diffCases(o *diffOptions, stdout io.Writer) ([]string, []diff.Case, error) {
	if o.events < 0 || o.events > maxEvents {
		return nil, nil, usageErrorf("--events must be from 0 to %d, got %d: each is held in memory and sent to both sides as a sign-up", maxEvents, o.events)
	}
	var kinds []string
	for _, k := range strings.Split(o.ignore, ",") {
		if k = strings.TrimSpace(k); k != "" {
			kinds = append(kinds, k)
		}
	}
	if err := diff.CheckKinds(kinds); err != nil {
		return nil, nil, usageErrorf("%v", err)
	}
	if o.seed == 0 {
		o.seed = rand.Uint64()
	}
	cases, err := diff.Fixtures(autoconfirm.Content(), "fixtures")
	if err != nil {
		return nil, nil, err
	}
	if o.fixtures != "" {
		dir, err := bounded.Dir(o.fixtures)
		if err != nil {
			return nil, nil, usageErrorf("--fixtures %s: %v", o.fixtures, err)
		}
		own, err := diff.Fixtures(dir, ".")
		if err != nil {
			return nil, nil, usageErrorf("--fixtures %s: %v", o.fixtures, err)
		}
		cases = append(cases, own...)
	}
	cases = append(cases, diff.Generate(o.seed, o.events)...)
	fmt.Fprintf(stdout, "diff: %d fixture(s) and %d generated event(s), seed %d (--seed %d replays them)\n", len(cases)-o.events, o.events, o.seed, o.seed)
	return kinds, cases, nil
}

// reportDiff prints the diff's result, writes its reports, and returns its
// status: 1 when a difference is not ignored.
func reportDiff(res diff.Result, reportDir string, stdout io.Writer) (int, error) {
	res.Print(stdout)
	if reportDir != "" {
		if err := res.Write(reportDir); err != nil {
			clearDiff(reportDir) // half a report is no report
			return conformance.ExitUsage, fmt.Errorf("writing the report: %w", err)
		}
		fmt.Fprintf(stdout, "reports: %s/%s, %s, %s\n", reportDir, diff.TextFile, diff.JSONFile, diff.HTMLFile)
	}
	if res.Failed() {
		return conformance.ExitFailed, nil
	}
	return conformance.ExitPass, nil
}

// clearDiff removes the files a diff writes into dir, and nothing else.
func clearDiff(dir string) error {
	if dir == "" {
		return nil
	}
	var paths []string
	for _, f := range []string{diff.JSONFile, diff.TextFile, diff.HTMLFile} {
		paths = append(paths, filepath.Join(dir, f))
	}
	return conformance.RemoveStale(paths...)
}

// diffLive are a diff side's live options: each side runs as a trigger
// with the default policy would be judged, and its events name poolID and
// the app client clientID.
func diffLive(poolID, clientID string, namer *targets.Namer) targets.LiveOptions {
	return targets.LiveOptions{PoolID: poolID, ClientID: clientID, Namer: namer, Concurrency: 4, Policy: handler.PolicySkipVerify, Lookup: handler.LookupAdminGetUser}
}

// openSide starts or reaches the handler a spec names.
func openSide(ctx context.Context, spec string, env []string, poolID string, timeout time.Duration, getenv func(string) string, stdout io.Writer) (diffSide, error) {
	namer, err := targets.NewNamer("")
	if err != nil {
		return diffSide{}, err
	}
	kind, rest, _ := strings.Cut(spec, ":")
	switch kind {
	case "local":
		return openLocalSide(ctx, spec, rest, env, timeout, namer, getenv, stdout)
	case "lambda":
		if rest == "" {
			return diffSide{}, usageErrorf("%q names no function: lambda:NAME, lambda:NAME:QUALIFIER or lambda:ARN", spec)
		}
		if poolID == "" {
			return diffSide{}, usageErrorf("a lambda: side needs --pool-id (or COGNITO_USER_POOL_ID): the other users a sign-up meets are created there, and each event points at it")
		}
		acc, err := open.AWS(ctx, poolID)
		if err != nil {
			return diffSide{}, err
		}
		say := func(s string) { fmt.Fprintln(stdout, "diff: "+s) }
		t, err := open.Deployed(ctx, acc, rest, "", diffLive(poolID, getenv("COGNITO_CLIENT_ID"), namer), say, func(string) error { return nil })
		if err != nil {
			return diffSide{}, err
		}
		return diffSide{Side: diff.Side{Name: spec, Target: t, Implementation: t.Implementation()}, close: func() { t.Close(context.Background()) }}, nil
	}
	return diffSide{}, usageErrorf("%q is not a handler spec: local:RUNTIME:DIR[:HANDLER] or lambda:FUNCTION", spec)
}

// openLocalSide hosts the handler a local: spec names, RUNTIME:DIR[:HANDLER]
// in rest, and opens it as the lambda target opens a deployed function.
func openLocalSide(ctx context.Context, spec, rest string, env []string, timeout time.Duration, namer *targets.Namer, getenv func(string) string, stdout io.Writer) (diffSide, error) {
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return diffSide{}, usageErrorf("%q is not local:RUNTIME:DIR[:HANDLER]", spec)
	}
	rt, err := runtimes.ParseRuntime(parts[0])
	if err != nil {
		return diffSide{}, usageErrorf("%v", err)
	}
	handlerName := rt.DefaultHandler()
	if len(parts) == 3 {
		handlerName = parts[2]
	}
	if err := checkEnv(env); err != nil {
		return diffSide{}, usageErrorf("%v", err)
	}
	cacheDir, err := runtimes.DefaultCacheDir(getenv)
	if err != nil {
		return diffSide{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return diffSide{}, fmt.Errorf("finding this binary to forward the sandbox's network: %w", err)
	}
	cwd, _ := os.Getwd()
	h, err := local.Host(ctx, local.Options{Runtime: rt, Code: parts[1], Handler: handlerName, Timeout: timeout, Env: env, Runner: self,
		Cache: runtimes.Cache{Dir: cacheDir, Progress: stdout}, Root: cwd, CognitoLocalPins: autoconfirm.NPMPins(), Getenv: getenv}, stdout)
	if err != nil {
		return diffSide{}, err
	}
	acc, err := open.Local(stack.Region, h.CognitoURL, h.GatewayURL)
	if err != nil {
		h.Close()
		return diffSide{}, err
	}
	namer.KeepShape() // the local pool texts and mails no one
	t := open.Lambda(acc, stack.FunctionName, diffLive(h.PoolID, h.ClientID, namer))
	return diffSide{Side: diff.Side{Name: spec, Target: t, Implementation: h.Implementation}, close: func() { t.Close(context.Background()); h.Close() }}, nil
}
