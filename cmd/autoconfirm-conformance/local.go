package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/conformance"
	"github.com/autoconfirm/autoconfirm/internal/local/child"
	"github.com/autoconfirm/autoconfirm/internal/local/runtimes"
	"github.com/autoconfirm/autoconfirm/internal/local/stack"
)

// emulatorDifferences is what a local run cannot judge, because cognito-local
// is not Cognito.
const emulatorDifferences = `cognito-local is not Cognito. Where it differs, and what that means here:
  - it never checks SecretHash (the pool target still sends one, from a client with a secret);
  - it accepts any password, undeclared attributes, non-E.164 phone numbers and malformed emails,
    so invalid values do reach the trigger, which must leave them unverified;
  - it invokes the trigger only from SignUp (PreSignUp_SignUp), so the pool target skips the
    AdminCreateUser and ExternalProvider scenarios; the lambda target covers them;
  - it does not move aliases: a second verified holder is allowed, so a missing guard shows up
    as a verified attribute, not as a moved alias;
  - its AdminGetUser resolves an email address or phone number only in email-as-username pools and
    ignores *_verified, and its ListUsers reads \" in a filter literally, matches letter case and
    ignores AttributesToGet; the handler reaches it through a resolver that answers both as Cognito
    documents, so ListUsers and AdminGetUser guards are judged alike;
  - its ListUsers has no pagination, and the fault scenarios need the fake pool: both skip live;
  - an attribute sent empty in SignUp never reaches the trigger, so at pool depth the "empty"
    scenarios are not observable; the lambda target sees them.`

type localOptions struct {
	runtime, code, handler           string
	profile, tags, features, fixture string
	lookup, policy, reportDir        string
	verbose                          bool
	env                              multiFlag
}

// multiFlag is a flag that may be given many times.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// runLocal starts cognito-local, the Runtime Interface Emulator running the
// handler, and the Invoke gateway, then runs the scenarios through this same
// binary against the pool and lambda targets, and stops everything.
func runLocal(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (status int, err error) {
	var o localOptions
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.StringVar(&o.runtime, "runtime", "", "Lambda's runtime identifier: provided.al2023, provided.al2, nodejs20.x (or newer), python3.x")
	fs.StringVar(&o.code, "code", "", "the directory that holds the function's code, as Lambda unpacks it; for provided runtimes, an executable named bootstrap")
	fs.StringVar(&o.handler, "handler", "", "the handler as Lambda names it: index.handler (Node.js), lambda_function.lambda_handler (Python); provided runtimes take none")
	fs.StringVar(&o.profile, "profile", getenv("PROFILE"), "the profiles to judge (default cognito,auto-confirm,alias-safe) (env PROFILE)")
	fs.StringVar(&o.tags, "tags", getenv("TAGS"), "run only scenarios matching this godog tag expression (env TAGS)")
	fs.StringVar(&o.features, "features", getenv("CONFORMANCE_FEATURES"), "a directory of your own .feature files (env CONFORMANCE_FEATURES)")
	fs.StringVar(&o.fixture, "fixtures", getenv("CONFORMANCE_FIXTURES"), "a directory of your own <name>.json events (env CONFORMANCE_FIXTURES)")
	fs.StringVar(&o.lookup, "alias-lookup", "list-users", "the ALIAS_LOOKUP an autoconfirm handler runs with (admin-get-user or list-users), for its @autoconfirm scenarios that name one; any handler's own lookups are answered either way")
	fs.StringVar(&o.policy, "alias-policy", "skip-verify", "the ALIAS_POLICY an autoconfirm handler runs with, for its @autoconfirm policy scenarios")
	fs.StringVar(&o.reportDir, "report-dir", "reports/local", "write each target's reports here, and report.html with both")
	fs.BoolVar(&o.verbose, "verbose", false, "show the emulators' and the handler's logs when the run fails")
	fs.Var(&o.env, "env", "KEY=VALUE for the function's environment; repeat it for more")
	if err := parse(fs, args, stdout, false); err != nil {
		return conformance.ExitUsage, err
	}
	if o.runtime == "" || o.code == "" {
		return conformance.ExitUsage, usageErrorf("local needs --runtime and --code, e.g. local --runtime nodejs20.x --code ./my-function --handler index.handler")
	}
	rt, err := runtimes.ParseRuntime(o.runtime)
	if err != nil {
		return conformance.ExitUsage, usageErrorf("%v", err)
	}
	if o.handler == "" {
		o.handler = rt.DefaultHandler()
	}
	for _, kv := range o.env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return conformance.ExitUsage, usageErrorf("--env %q is not KEY=VALUE", kv)
		}
	}
	if o.profile == "" {
		o.profile = strings.Join(conformance.DefaultProfiles(false), ",")
	}
	if _, err := conformance.ParseProfiles(o.profile); err != nil {
		return conformance.ExitUsage, usageErrorf("%v", err)
	}
	say := func(format string, a ...any) { fmt.Fprintf(stdout, "local: "+format+"\n", a...) }
	start := time.Now()

	cacheDir, err := runtimes.DefaultCacheDir(getenv)
	if err != nil {
		return conformance.ExitUsage, err
	}
	cache := runtimes.Cache{Dir: cacheDir, Progress: stdout}
	work, err := os.MkdirTemp("", "autoconfirm-local-")
	if err != nil {
		return conformance.ExitUsage, err
	}
	defer os.RemoveAll(work)
	cwd, _ := os.Getwd()
	bootstrap, err := cache.Bootstrap(ctx, rt, o.code, o.handler, work)
	if err != nil {
		return conformance.ExitUsage, err
	}
	startJS, err := cache.CognitoLocal(ctx, cwd, autoconfirm.NPMPins())
	if err != nil {
		return conformance.ExitUsage, err
	}
	rieBin, err := cache.RIE(ctx, getenv, cwd)
	if err != nil {
		return conformance.ExitUsage, err
	}
	impl, err := describeCode(rt, o.code, o.handler)
	if err != nil {
		return conformance.ExitUsage, err
	}
	self, err := os.Executable()
	if err != nil {
		return conformance.ExitUsage, fmt.Errorf("finding this binary to run the targets: %w", err)
	}
	if ctx.Err() != nil {
		return exitInterrupted, nil
	}

	st, err := stack.Start(ctx, stack.Options{CognitoLocal: startJS, RIE: rieBin, Bootstrap: bootstrap, Env: o.env})
	if err != nil {
		if ctx.Err() != nil {
			return exitInterrupted, nil
		}
		return conformance.ExitUsage, fmt.Errorf("starting the local stack: %w", err)
	}
	defer func() {
		if (status != conformance.ExitPass || err != nil) && o.verbose {
			node, emu := st.Logs()
			fmt.Fprintf(stderr, "--- cognito-local output ---\n%s\n--- emulator and handler output ---\n%s\n", node, emu)
		}
		st.Close()
	}()
	say("%s", impl)
	say("the handler runs under the Lambda Runtime Interface Emulator, behind a Lambda Invoke gateway at %s", st.GatewayURL)
	say("cognito-local at %s, pool %s, app client with a secret, email and phone number as aliases; the handler reaches it at %s, where AdminGetUser resolves verified aliases", st.CognitoURL, st.PoolID, st.TriggerCognitoURL)
	say("judging the profiles %s", o.profile)
	fmt.Fprintln(stdout, emulatorDifferences)

	status = conformance.ExitPass
	var dirs []string
	for _, target := range []string{"pool", "lambda"} {
		dir := filepath.Join(o.reportDir, target)
		dirs = append(dirs, dir)
		args := []string{"--target", target, "--pool-id", st.PoolID, "--alias-lookup", o.lookup, "--alias-policy", o.policy,
			"--emulator", "autoconfirm-local", "--format", "progress", "--concurrency", "4", "--no-colors",
			"--report-dir", dir, "--profile", o.profile, "--implementation", impl}
		if target == "pool" {
			args = append(args, "--client-id", st.ClientID)
		} else {
			args = append(args, "--function", "PreSignUp")
		}
		for flag, v := range map[string]string{"--tags": o.tags, "--features": o.features, "--fixtures": o.fixture} {
			if v != "" {
				args = append(args, flag, v)
			}
		}
		say("running the scenarios against the %s target", target)
		cmd := exec.Command(self, args...)
		cmd.Env = localEnv(st)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		code, err := child.Run(ctx, cmd)
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "local: interrupted; the stack is stopped and the run did not pass")
			return exitInterrupted, nil
		}
		if err != nil {
			return conformance.ExitUsage, fmt.Errorf("running the %s target: %w", target, err)
		}
		say("%s target: exit %d", target, code)
		if code == conformance.ExitUsage {
			return conformance.ExitUsage, nil
		}
		if code != conformance.ExitPass {
			status = conformance.ExitFailed
		}
	}
	combined := filepath.Join(o.reportDir, "report.html")
	if out, err := exec.Command(self, append([]string{"report", "--out", combined}, dirs...)...).CombinedOutput(); err != nil {
		fmt.Fprintf(stderr, "local: combining the reports: %v: %s\n", err, out)
		status = conformance.ExitFailed
	} else {
		say("both targets in one report: %s", combined)
	}
	// No run may leave a test user behind.
	left, err := st.TestUsers(ctx)
	if err != nil {
		return conformance.ExitFailed, err
	}
	inv, ferr := st.Gateway.Counts()
	say("the handler answered %d invocations (%d function errors); %d test user(s) left in the pool", inv, ferr, left)
	if left != 0 {
		fmt.Fprintf(stderr, "local: %d test user(s) were left in the pool\n", left)
		status = conformance.ExitFailed
	}
	say("wall time %.1fs", time.Since(start).Seconds())
	if status != conformance.ExitPass {
		say("FAIL")
	} else {
		say("PASS")
	}
	return status, nil
}

// describeCode names what a local run judges, for the reports: the runtime,
// the handler, and a sha256 over the code directory's files.
func describeCode(rt runtimes.Runtime, code, handler string) (string, error) {
	abs, err := filepath.Abs(code)
	if err != nil {
		return "", err
	}
	var names []string
	fsys := os.DirFS(abs)
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "__pycache__") {
			return fs.SkipDir
		}
		if d.Type().IsRegular() {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("reading the code directory: %w", err)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	what := "bootstrap"
	if handler != "" && rt.Kind != runtimes.Provided {
		what = "handler " + handler
	}
	return fmt.Sprintf("%s, %s in %s (%d files, sha256 %x), under the Lambda Runtime Interface Emulator", rt.Name, what, abs, len(names), h.Sum(nil)), nil
}

// localEnv is a target run's environment: the local stack's endpoints and
// dummy credentials, and the client secret, which is never a flag.
func localEnv(st *stack.Stack) []string {
	return append(os.Environ(), "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+st.CognitoURL, "AWS_ENDPOINT_URL_LAMBDA="+st.GatewayURL,
		"COGNITO_CLIENT_SECRET="+st.Secret, "ALIAS_POLICY=", "ALIAS_LOOKUP=", "PROFILE=", "TAGS=", "CONFORMANCE_TARGET=")
}
