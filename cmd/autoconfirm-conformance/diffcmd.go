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
	fs := flag.NewFlagSet("autoconfirm-conformance diff", flag.ContinueOnError)
	events := fs.Int("events", 1000, "generated events to send, after the fixtures")
	seed := fs.Uint64("seed", 0, "the generator's seed, to replay a run (default random, printed)")
	fixtures := fs.String("fixtures", getenv("CONFORMANCE_FIXTURES"), "a directory of your own <name>.json events, sent too (env CONFORMANCE_FIXTURES)")
	poolID := fs.String("pool-id", getenv("COGNITO_USER_POOL_ID"), "for a lambda: side, the user pool where its holders are created (env COGNITO_USER_POOL_ID)")
	ignore := fs.String("ignore", "", "kinds of difference decided to be fine, comma-separated: "+strings.Join(diff.Kinds, ", "))
	reportDir := fs.String("report-dir", getenv("REPORT_DIR"), "write diff.txt, diff.json and diff.html here (env REPORT_DIR)")
	timeout := fs.Duration("timeout", 3*time.Second, "a local side's function timeout, as on Lambda")
	var envA, envB multiFlag
	fs.Var(&envA, "a-env", "KEY=VALUE for a local A's environment; repeat it for more")
	fs.Var(&envB, "b-env", "KEY=VALUE for a local B's environment; repeat it for more")
	if err := parse(fs, args, stdout, true); err != nil {
		return conformance.ExitUsage, err
	}
	// Before any check that can fail: an earlier diff's reports must not
	// stay to be read as this one's.
	if err := clearDiff(*reportDir); err != nil {
		return conformance.ExitUsage, err
	}
	if fs.NArg() != 2 {
		return conformance.ExitUsage, usageErrorf("diff needs two handler specs, A and B, e.g. diff local:provided.al2023:./old local:provided.al2023:./new")
	}
	if *events < 0 || *events > maxEvents {
		return conformance.ExitUsage, usageErrorf("--events must be from 0 to %d, got %d: each is held in memory and sent to both sides as a sign-up", maxEvents, *events)
	}
	var kinds []string
	for _, k := range strings.Split(*ignore, ",") {
		if k = strings.TrimSpace(k); k != "" {
			kinds = append(kinds, k)
		}
	}
	if err := diff.CheckKinds(kinds); err != nil {
		return conformance.ExitUsage, usageErrorf("%v", err)
	}
	if *seed == 0 {
		*seed = rand.Uint64()
	}
	cases, err := diff.Fixtures(autoconfirm.Content(), "fixtures")
	if err != nil {
		return conformance.ExitUsage, err
	}
	if *fixtures != "" {
		dir, err := bounded.Dir(*fixtures)
		if err != nil {
			return conformance.ExitUsage, usageErrorf("--fixtures %s: %v", *fixtures, err)
		}
		own, err := diff.Fixtures(dir, ".")
		if err != nil {
			return conformance.ExitUsage, usageErrorf("--fixtures %s: %v", *fixtures, err)
		}
		cases = append(cases, own...)
	}
	cases = append(cases, diff.Generate(*seed, *events)...)
	fmt.Fprintf(stdout, "diff: %d fixture(s) and %d generated event(s), seed %d (--seed %d replays them)\n", len(cases)-*events, *events, *seed, *seed)

	var sides []diffSide
	defer func() {
		for _, s := range sides {
			s.close()
		}
	}()
	for i, spec := range fs.Args() {
		env := []multiFlag{envA, envB}[i]
		s, err := openSide(ctx, spec, env, *poolID, *timeout, getenv, stdout)
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
	res.Print(stdout)
	if *reportDir != "" {
		if err := res.Write(*reportDir); err != nil {
			clearDiff(*reportDir) // half a report is no report
			return conformance.ExitUsage, fmt.Errorf("writing the report: %w", err)
		}
		fmt.Fprintf(stdout, "reports: %s/%s, %s, %s\n", *reportDir, diff.TextFile, diff.JSONFile, diff.HTMLFile)
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
