// Package local hosts a pre sign-up handler on this machine as Lambda and
// Cognito would run it, and judges it with the conformance scenarios at pool
// and lambda depth. Its parts:
//
//   - runtimes lays a handler out as Lambda's runtime would run it, with the
//     pinned tools fetched once into a cache;
//   - stack runs cognito-local as the pool, the handler under the Runtime
//     Interface Emulator, and the gateway, resolver and refusing endpoint
//     around them;
//   - gateway answers the Lambda Invoke API, and invokes as Cognito does;
//   - rie runs the emulator; child runs a command that must clean up.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/poolshape"
	"github.com/autoconfirm/autoconfirm/internal/local/gateway"
	"github.com/autoconfirm/autoconfirm/internal/local/runtimes"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
	"github.com/autoconfirm/autoconfirm/internal/local/stack"
	"github.com/autoconfirm/autoconfirm/internal/termtext"
)

// Options say what to host and what to judge.
type Options struct {
	Runtime runtimes.Runtime
	// Code is the function's directory; Handler as Lambda names it.
	Code, Handler string
	// Timeout is the function's timeout; zero is Lambda's default, 3 s.
	Timeout time.Duration
	// MemoryMB is the function's memory size; zero is Lambda's default,
	// 128.
	MemoryMB int
	// TmpMB is the function's ephemeral storage, /tmp's size; zero is
	// Lambda's default, 512.
	TmpMB int
	// Env is --env: KEY=VALUE pairs for the function.
	Env []string
	// Layers are the function's layers, directories or zips, in order.
	Layers []string
	// What the targets judge, passed on to them.
	Profile, Tags, Features, Fixtures, Lookup, Policy string
	// ReportDir receives each target's reports and report.html.
	ReportDir string
	// Verbose shows the emulators' logs when the run does not pass.
	Verbose bool
	// Runner is this binary, which forwards the sandbox's network.
	Runner string
	// Content holds the built-in features/ and fixtures/.
	Content fs.FS
	// Cache holds the fetched tools; Root is a checkout whose node_modules
	// may hold cognito-local, or empty.
	Cache runtimes.Cache
	Root  string
	// CognitoLocalPins are package.json and package-lock.json pinning
	// cognito-local, for a machine without a checkout.
	CognitoLocalPins fs.FS
	// Getenv reads AWS_LAMBDA_RIE.
	Getenv func(string) string
	// Shape is the pool's shape, nil for poolshape.Default; DefaultClaim
	// says Profile is the default claim, not the user's (see
	// conformance.Options).
	Shape        *poolshape.Shape
	DefaultClaim bool
}

// run is one local run's state.
type run struct {
	o              Options
	stdout, stderr io.Writer
	fn             runtimes.Function
	// impl names what runs for the reports: the code, its sandbox and how
	// it differs from Lambda; code is the first part alone, for the output.
	impl, code string
	// codeRoot is what the code's identity is computed from: the children
	// check the hosted function's CodeSha256 against it (--expect-code).
	codeRoot string
	// work is the run's own directory, removed at its end.
	work string
	// hostOnly is a run for Host: no scenarios, so no account of them.
	hostOnly bool
	// sandbox runs the function; when nil, sandboxErr says why none.
	sandbox    *sandbox.Sandbox
	sandboxErr error
}

// sandboxed says whether the function runs in a sandbox like Lambda's, and
// why not when it does not: every report says it (rules §18).
func (r *run) sandboxed() string {
	if r.sandbox != nil {
		return r.sandbox.Describe()
	}
	return "NOT AS ON LAMBDA: " + r.sandboxState() + ": the handler runs as this machine's user, sees its files and processes, and can write to its code"
}

// sandboxState is "sandboxed (…)" or "not sandboxed: why", for run.json;
// "" before the sandbox was probed.
func (r *run) sandboxState() string {
	switch {
	case r.sandbox != nil:
		return r.sandbox.Describe()
	case r.sandboxErr != nil:
		return r.sandboxErr.Error()
	}
	return ""
}

func (r *run) say(format string, a ...any) {
	fmt.Fprintf(r.stdout, "local: "+format+"\n", a...)
}

// Run hosts the handler, judges it, and stops everything it started. The
// status is conformance's: 0 pass, 1 fail, 2 setup error; 130 interrupted.
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) (status int, err error) {
	r := &run{o: o, stdout: stdout, stderr: stderr}
	start := time.Now()
	if err := reportsOutside(o.Code, o.ReportDir); err != nil {
		return conformance.ExitUsage, err
	}
	if err := ClearReports(o.ReportDir); err != nil {
		return conformance.ExitUsage, err
	}
	work, err := os.MkdirTemp("", "autoconfirm-local-")
	if err != nil {
		return conformance.ExitUsage, err
	}
	defer os.RemoveAll(work)
	r.work = work
	st, err := r.start(ctx, work)
	defer r.sandbox.Close() // after the stack's end, below, ended its environments
	if err != nil {
		if ctx.Err() != nil {
			return conformance.ExitInterrupted, nil
		}
		return conformance.ExitUsage, err
	}
	defer func() {
		if (status != conformance.ExitPass || err != nil) && o.Verbose {
			node, emu := st.Logs()
			fmt.Fprintf(stderr, "--- cognito-local output ---\n%s--- emulator and handler output ---\n%s--- end of their output ---\n", termtext.Block(string(node)), termtext.Block(string(emu)))
		}
		st.Close()
	}()
	r.describe(st)
	if status, err := r.warmUp(ctx, st); status != conformance.ExitPass || err != nil {
		return status, err
	}
	depths, status, err := r.judge(ctx, st)
	if status != conformance.ExitPass || err != nil {
		return status, err
	}
	if status, err = r.conclude(ctx, depths, stackEnding{st}); err != nil {
		return status, err
	}
	r.say("reports: %s (both depths), %s; each depth's JUnit and cucumber JSON under %s",
		filepath.Join(o.ReportDir, conformance.HTMLFile), filepath.Join(o.ReportDir, conformance.RunFile), filepath.Join(o.ReportDir, "{pool,lambda}"))
	r.say("%s in %.1fs", map[bool]string{true: "PASS", false: "FAIL"}[status == conformance.ExitPass], time.Since(start).Seconds())
	return status, nil
}

// reportsOutside refuses a report directory inside the code: the first
// depth's reports would change the code the second depth judges, and land
// in what is deployed from that directory (red team round 15).
func reportsOutside(code, reports string) error {
	if code == "" || reports == "" {
		return nil
	}
	c := resolved(code)
	if sandbox.Under(resolved(reports), c) {
		return fmt.Errorf("--report-dir %s is inside --code %s: the reports would change the code under test between its depths, and be deployed with it; give a report directory outside the code, e.g. --report-dir %s",
			reports, code, filepath.Join(filepath.Dir(c), "reports", "local"))
	}
	return nil
}

// resolved is p made absolute, the links of its nearest existing ancestor
// followed: a report directory may not exist yet.
func resolved(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	for dir, rest := a, ""; ; dir, rest = filepath.Dir(dir), filepath.Join(filepath.Base(dir), rest) {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(real, rest)
		}
		if dir == filepath.Dir(dir) {
			return a
		}
	}
}

// ClearReports removes an earlier local run's reports from dir and its
// depths' directories: a command calls it before any check that can fail,
// so that no earlier run.json is read as this run's.
func ClearReports(dir string) error {
	for _, d := range []string{dir, filepath.Join(dir, "pool"), filepath.Join(dir, "lambda")} {
		if err := conformance.ClearReports(d); err != nil {
			return err
		}
	}
	return nil
}

// start prepares the handler and the tools, and starts the stack.
func (r *run) start(ctx context.Context, work string) (*stack.Stack, error) {
	o := r.o
	r.sandbox, r.sandboxErr = sandbox.Probe(ctx, o.Getenv)
	if r.sandbox != nil {
		// The runner forwards the sandbox's network: its own namespace,
		// with only the function's endpoints in it. Without it the function
		// would share this machine's network (red team round 13, diff).
		if o.Runner == "" {
			return nil, errors.New("local: Options.Runner is empty: it must name this binary, which forwards the sandbox's network")
		}
		r.sandbox.Forwarder = o.Runner
		r.sandbox.TmpMB = o.TmpMB
	}
	o.Cache.Sandboxed = r.sandbox != nil
	o.Cache.Sandbox = r.sandbox
	startJS, rieBin, fn, err := fetch(ctx, o, work)
	if err != nil {
		return nil, err
	}
	r.fn = fn
	var fnConfig *gateway.Configuration
	if r.code, r.codeRoot, fnConfig, err = describe(o.Runtime, o.Code, o.Handler); err != nil {
		return nil, err
	}
	r.impl = r.code + "; " + r.sandboxed()
	for _, d := range fn.Differences {
		r.impl += "; NOT AS ON LAMBDA: " + d
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	env := append(append([]string{}, fn.Env...), o.Env...)
	st, err := stack.Start(ctx, stack.Options{CognitoLocal: startJS, RIE: rieBin, Bootstrap: fn.Bootstrap, Env: env, Timeout: o.Timeout, MemoryMB: o.MemoryMB, Progress: r.stdout, Function: fnConfig, Shape: o.Shape, Sandbox: r.sandbox, Mounts: fn.Mounts})
	if err != nil {
		return nil, fmt.Errorf("starting the local stack: %w", err)
	}
	return st, nil
}

// fetch prepares the handler while it fetches cognito-local and the
// emulator: on a fresh machine each is a fetch of seconds, or a build.
func fetch(ctx context.Context, o Options, work string) (startJS, rieBin string, fn runtimes.Function, err error) {
	cache := o.Cache.Concurrent()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		fn, err = cache.Prepare(gctx, o.Runtime, o.Code, o.Handler, work, o.Layers...)
		return err
	})
	g.Go(func() (err error) {
		if startJS, err = cache.CognitoLocal(gctx, o.Root, o.CognitoLocalPins); err != nil {
			return err
		}
		rieBin, err = cache.RIE(gctx, o.Getenv, o.Root)
		return err
	})
	err = g.Wait()
	return startJS, rieBin, fn, err
}

func (r *run) timeout() time.Duration {
	if r.o.Timeout > 0 {
		return r.o.Timeout
	}
	return 3 * time.Second
}

// summarize closes the run: no run may leave a test user behind, and the
// handler's invocations are named. It returns the status and, when it
// fails the run, why, for run.json.
func (r *run) summarize(ctx context.Context, end ending, status int) (int, []string) {
	left, other, err := end.Users(ctx)
	if err != nil {
		fmt.Fprintln(r.stderr, "local:", err)
		return conformance.ExitFailed, []string{"the test users left in the pool could not be counted"}
	}
	r.say("%s; %d test user(s) left in the pool", end.Stats(), left)
	if other > 0 {
		r.say("NOTE: the handler itself made %d user(s) in the pool, which the run did not and does not delete; on a real pool they would stay", other)
	}
	if r.o.Verbose { // said once, at the start, unless asked for again
		r.say("%s", r.sandboxed())
		for _, d := range r.fn.Differences {
			r.say("NOT AS ON LAMBDA: %s", d)
		}
	}
	var notes []string
	if left != 0 {
		fmt.Fprintf(r.stderr, "local: %d test user(s) were left in the pool\n", left)
		status = conformance.ExitFailed
		notes = append(notes, fmt.Sprintf("%d test user(s) were left in the pool: no run may leave one behind", left))
	}
	return status, notes
}

// stackEnding is the stack as the end of a run sees it.
type stackEnding struct{ st *stack.Stack }

func (e stackEnding) Users(ctx context.Context) (test, other int, err error) { return e.st.Users(ctx) }

func (e stackEnding) Stats() string {
	s := e.st.Gateway.Stats()
	stats := fmt.Sprintf("the handler answered %d invocations (%d function errors, %d timeouts, %d cold starts); of %d sign-ups, %d needed another attempt and %d got no answer in time",
		s.Invokes.Load(), s.FunctionErrors.Load(), s.Timeouts.Load(), s.ColdStarts.Load(), s.SignUps.Load(), s.Retried.Load(), s.TimedOut.Load())
	if ended := e.st.Ended(); ended != "" {
		stats += "; " + ended
	}
	return stats
}
