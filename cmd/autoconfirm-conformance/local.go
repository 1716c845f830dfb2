package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/poolshape"
	"github.com/autoconfirm/autoconfirm/internal/local"
	"github.com/autoconfirm/autoconfirm/internal/local/runtimes"
	"github.com/autoconfirm/autoconfirm/internal/local/stack"
)

type localOptions struct {
	template, function, overrides    string
	runtime, code, handler           string
	profile, tags, features, fixture string
	lookup, policy, reportDir        string
	verbose                          bool
	timeout                          time.Duration
	memory, tmp                      int
	env, layers                      multiFlag
}

// multiFlag is a flag that may be given many times.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// runLocal reads local's flags and hands the run to internal/local, which
// hosts the handler as Lambda would and judges it at the pool and lambda
// depths in this process.
func runLocal(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (status int, err error) {
	var o localOptions
	fs, shapeFlags := localFlags(&o, getenv)
	if err := parse(fs, args, stdout, false); err != nil {
		return conformance.ExitUsage, err
	}
	// Before any check that can fail: an earlier run's reports must not
	// stay to be read as this run's.
	if err := local.ClearReports(o.reportDir); err != nil {
		return conformance.ExitUsage, err
	}
	defaultClaim := o.profile == ""
	if o.template != "" {
		cleanup, err := fromTemplate(&o, fs, stdout)
		defer cleanup() // a failed extraction's directory too
		if err != nil {
			return conformance.ExitUsage, err
		}
	}
	rt, shape, err := checkLocal(&o, shapeFlags, defaultClaim, stdout)
	if err != nil {
		return conformance.ExitUsage, err
	}
	cacheDir, err := runtimes.DefaultCacheDir(getenv)
	if err != nil {
		return conformance.ExitUsage, err
	}
	self, err := os.Executable()
	if err != nil {
		return conformance.ExitUsage, fmt.Errorf("finding this binary, which forwards the sandbox's network: %w", err)
	}
	cwd, _ := os.Getwd()
	return local.Run(ctx, local.Options{
		Runtime: rt, Code: o.code, Handler: o.handler, Timeout: o.timeout, MemoryMB: o.memory, TmpMB: o.tmp, Env: o.env, Layers: o.layers,
		Profile: o.profile, Tags: o.tags, Features: o.features, Fixtures: o.fixture, Lookup: o.lookup, Policy: o.policy,
		ReportDir: o.reportDir, Verbose: o.verbose, Runner: self, Content: autoconfirm.Content(),
		Cache: runtimes.Cache{Dir: cacheDir, Progress: stdout}, Root: cwd, CognitoLocalPins: autoconfirm.NPMPins(), Getenv: getenv,
		Shape: shape, DefaultClaim: defaultClaim,
	}, stdout, stderr)
}

// localFlags binds local's flags to o.
func localFlags(o *localOptions, getenv func(string) string) (*flag.FlagSet, *poolshape.Flags) {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.StringVar(&o.template, "template", "", "a SAM template (template.yaml) to read the function from, as sam local invoke does: Runtime, Handler, CodeUri (a directory or a zip), Architectures, Timeout and Environment.Variables, Globals included, a reference to the template's own user pool or app client getting the local one's value; the flags below override it")
	fs.StringVar(&o.function, "function", "", "with --template: the function's logical id, needed when the template has more than one")
	fs.StringVar(&o.overrides, "parameter-overrides", "", "with --template: Name=Value pairs, space- or comma-separated, for the template's parameters, as sam's --parameter-overrides")
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
	fs.BoolVar(&o.verbose, "verbose", false, "print everything: the whole notice of how the local pool differs from Cognito, the stack's addresses, each target's own output and the whole verdict, and the emulators' and the handler's logs when the run fails")
	fs.IntVar(&o.memory, "memory", 128, "the function's memory size in `MB`, as configured on Lambda (Lambda's default is 128, its range 128 to 10240): a function whose processes hold more is ended, as Lambda ends it")
	fs.IntVar(&o.tmp, "ephemeral-storage", 512, "the function's ephemeral storage in `MB`, the size of its /tmp, as configured on Lambda (Lambda's default is 512, its range 512 to 10240)")
	fs.DurationVar(&o.timeout, "timeout", 3*time.Second, "the function's timeout, as configured on Lambda (Lambda's default is 3s, its maximum 15m); Cognito itself waits 5s an attempt, three attempts")
	fs.Var(&o.env, "env", "KEY=VALUE for the function's environment; repeat it for more. A VALUE that is a placeholder gets the local pool's own value once the pool exists: "+placeholderHelp()+"; e.g. --env USER_POOL_ID=@pool-id")
	fs.Var(&o.layers, "layer", "a layer's content, a directory or a zip, laid out as Lambda lays layers out in /opt; repeat it for more, in the function's order")
	shapeFlags := poolshape.Bind(fs)
	return fs, shapeFlags
}

// checkLocal checks local's options once a template has filled them in:
// the runtime, the function's variables, the pool's shape, the claim and
// the function's configuration. Every error is a usage error.
func checkLocal(o *localOptions, shapeFlags *poolshape.Flags, defaultClaim bool, stdout io.Writer) (runtimes.Runtime, *poolshape.Shape, error) {
	if o.runtime == "" || o.code == "" {
		return runtimes.Runtime{}, nil, usageErrorf("local needs --runtime and --code, e.g. local --runtime nodejs20.x --code ./my-function --handler index.handler, or --template template.yaml")
	}
	rt, err := runtimes.ParseRuntime(o.runtime)
	if err != nil {
		return rt, nil, usageErrorf("%v", err)
	}
	if o.handler == "" {
		o.handler = rt.DefaultHandler()
	}
	if err := checkEnv(o.env); err != nil {
		if o.template != "" { // its variables are in o.env too
			return rt, nil, fmt.Errorf("the function's variables (%s's Environment.Variables, and --env): %w", o.template, err)
		}
		return rt, nil, usageErrorf("--env %v", err)
	}
	if err := stack.CheckPlaceholders(o.env); err != nil {
		return rt, nil, usageErrorf("--env %v", err)
	}
	shape, err := localShape(*o, shapeFlags, stdout)
	if err != nil {
		return rt, nil, err
	}
	if o.profile == "" {
		o.profile = strings.Join(conformance.DefaultProfiles(false), ",")
	}
	profiles, err := conformance.ParseProfiles(o.profile)
	if err != nil {
		return rt, nil, usageErrorf("%v", err)
	}
	// A claim the pool's shape leaves nothing to judge is refused now, not
	// after a depth has run (rules §9).
	if err := checkLocalClaim(*o, profiles, shape, defaultClaim); err != nil {
		return rt, nil, err
	}
	return rt, shape, checkFunction(*o)
}

// checkFunction checks the function's memory, storage and timeout against
// what Lambda takes.
func checkFunction(o localOptions) error {
	if o.memory < 128 || o.memory > 10240 {
		return usageErrorf("--memory %d: Lambda takes whole megabytes from 128 to 10240", o.memory)
	}
	if o.tmp < 512 || o.tmp > 10240 {
		return usageErrorf("--ephemeral-storage %d: Lambda takes whole megabytes from 512 to 10240", o.tmp)
	}
	if o.timeout < time.Second || o.timeout > 15*time.Minute || o.timeout%time.Second != 0 {
		return usageErrorf("--timeout %s: Lambda takes whole seconds from 1s to 15m0s", o.timeout)
	}
	return nil
}

// checkLocalClaim refuses a claimed profile none of whose scenarios the
// local pool, of this shape, lets reach the trigger.
func checkLocalClaim(o localOptions, profiles []string, shape *poolshape.Shape, defaultClaim bool) error {
	sh := poolshape.Default()
	if shape != nil {
		sh = *shape
	}
	return conformance.CheckClaim(conformance.Options{Content: autoconfirm.Content(), Profiles: profiles, Tags: o.tags,
		Features: o.features, Fixtures: o.fixture, Shape: &sh, DefaultClaim: defaultClaim})
}

// envName is Lambda's pattern for a variable's name, and reservedEnv the
// variables a function's configuration may not set (rules §17).
var (
	envName     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]+$`)
	reservedEnv = map[string]bool{"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
		"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
		"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
		"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true,
		"AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true}
)

// maxEnv is Lambda's limit on a function's environment variables together
// (rules §17).
const maxEnv = 4 << 10

// checkEnv checks a function's KEY=VALUE pairs, and their size together as
// the function gets them, a later value of a key over an earlier one.
func checkEnv(env []string) error {
	vars := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		switch {
		case !ok || k == "":
			return fmt.Errorf("%q is not KEY=VALUE", kv)
		case !envName.MatchString(k):
			return fmt.Errorf("%q: Lambda takes a variable's name as a letter and then letters, digits and underscores (docs/cognito-rules.md §17)", k)
		case strings.ContainsRune(v, 0):
			return fmt.Errorf("%s's value holds a NUL byte, which no environment variable can hold", k)
		case reservedEnv[k]:
			return fmt.Errorf("%s is one of Lambda's reserved variables, which a function's configuration cannot set: Lambda would refuse to deploy it (docs/cognito-rules.md §17)", k)
		}
		vars[k] = v
	}
	size := 0
	for k, v := range vars {
		size += len(k) + len(v)
	}
	if size > maxEnv {
		return fmt.Errorf("the function's %d variables take %d bytes together, past Lambda's 4 KB limit (%d bytes): Lambda would refuse to deploy it (docs/cognito-rules.md §17)", len(vars), size, maxEnv)
	}
	return nil
}

// placeholderHelp lists --env's placeholders and what each becomes.
func placeholderHelp() string {
	var parts []string
	for _, p := range stack.Placeholders {
		parts = append(parts, p[0]+" ("+p[1]+")")
	}
	return strings.Join(parts, ", ")
}
