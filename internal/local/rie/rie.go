// Package rie runs a Lambda bootstrap under the AWS Lambda Runtime Interface
// Emulator, which the module pins as a go tool, and turns the emulator's
// answers into the ones Lambda gives: a timeout, an init failure and a
// runtime that exited all come back as function errors in Lambda's shape.
// Between the runtime and the emulator's Runtime API it keeps a proxy, so
// that an init failure (the runtime never took the event) is told from a
// failure with the event, whatever the emulator's HTTP status.
package rie

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/hostenv"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
	"github.com/tidwall/gjson"
)

// Binary returns the path of the pinned aws-lambda-rie, building it into the
// Go build cache on first use.
func Binary(ctx context.Context) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "aws-lambda-rie")
	cmd.Env = hostenv.Go(os.Getenv) // no host secret reaches go or what it builds
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		return "", fmt.Errorf("building the Runtime Interface Emulator with `go tool -n aws-lambda-rie`: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Config says what the emulator runs.
type Config struct {
	// Binary is aws-lambda-rie; Bootstrap the function's executable, which
	// starts in LAMBDA_TASK_ROOT as Env sets it (else the bootstrap's own
	// directory), as a function starts in its code root on Lambda.
	Binary, Bootstrap string
	// Env is the whole environment of the emulator and the function.
	Env []string
	// Timeout is the function's timeout, counted from the moment the
	// runtime takes the event; its init has InitLimit of its own, as on
	// Lambda. Zero means Lambda's default, 3 s.
	Timeout time.Duration
	// MemoryMB is the function's memory size: an environment whose
	// function holds more is ended, as Lambda ends it. Zero watches nothing.
	MemoryMB int
	// Logs receives what the emulator and the function print.
	Logs io.Writer
	// Sandbox, when set, runs each environment, emulator and runtime, in
	// a sandbox shaped like Lambda's, with Mounts bound read-only in it;
	// Bootstrap and LAMBDA_TASK_ROOT are then paths in the sandbox.
	Sandbox *sandbox.Sandbox
	Mounts  []sandbox.Mount
	// Reach are the host's addresses (127.0.0.1:port) that the function
	// is told of; a sandbox of its own network namespace reaches these
	// only, at the same addresses, besides the Runtime API.
	Reach []string
	// ports picks a free port for the emulator to bind; tests take one.
	ports func() (int, error)
	// initLimit is InitLimit; tests shorten it.
	initLimit time.Duration
}

// DefaultTimeout is the timeout Lambda gives a new function.
const DefaultTimeout = 3 * time.Second

// ErrMachineMemory is Invoke's error once the run's environments together
// held all the memory this machine could give them.
var ErrMachineMemory = errors.New("this machine ran out of memory for the run")

// ErrCrashed is Invoke's error once the emulator has died on its own.
var ErrCrashed = errors.New("the Runtime Interface Emulator crashed")

// Proc runs a function as Lambda does: in execution environments, each an
// emulator process with its own runtime, one invocation at a time in each.
// An invocation takes an idle environment, warm when one is, and starts a
// new, cold one when every environment is busy; an invocation abandoned by
// its caller runs on to its end in its own environment, which takes no other
// meanwhile, as on Lambda. An emulator that dies on its own is not hidden:
// Crashed closes.
type Proc struct {
	cfg    Config
	client *http.Client
	// emulatorEnv is the environment of each environment's process: in a
	// confined sandbox, only what the emulator reads.
	emulatorEnv []string
	// dir holds the scripts that start each environment's runtime.
	dir string

	mu       sync.Mutex
	idle     []*instance // most recently used last
	live     map[*instance]struct{}
	launched int
	closed   bool

	// retiring counts the environments being ended after a timeout.
	retiring sync.WaitGroup

	crashOnce sync.Once
	crashed   chan struct{}
	crashErr  error

	// ended counts the functions ended for their memory or tasks, and
	// endedWhy is the first reason (memory.go).
	ended    int
	endedWhy string
}

// noteEnded records that a function was ended, and why, in the logs.
func (p *Proc) noteEnded(why string) {
	p.mu.Lock()
	if p.ended++; p.endedWhy == "" {
		p.endedWhy = why
	}
	p.mu.Unlock()
	fmt.Fprintf(p.cfg.Logs, "autoconfirm-conformance: %s\n", why)
}

// Ended says how many times a function was ended for holding more than
// Lambda lets it, and the first reason; "" when never.
func (p *Proc) Ended() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ended == 0 {
		return ""
	}
	return fmt.Sprintf("%d time(s) a function was ended; the first: %s", p.ended, p.endedWhy)
}

// Start launches bootstrap under the emulator with env added to this
// process's environment, and waits until it accepts connections.
func Start(ctx context.Context, rieBin, bootstrap string, env []string, logs io.Writer) (*Proc, error) {
	return StartWith(ctx, Config{Binary: rieBin, Bootstrap: bootstrap, Env: append(os.Environ(), env...), Logs: logs, Timeout: 30 * time.Second})
}

// StartWith launches the emulator as cfg says and waits until it accepts
// connections.
func StartWith(ctx context.Context, cfg Config) (*Proc, error) {
	if _, err := os.Stat(cfg.Bootstrap); err != nil && cfg.Sandbox == nil {
		return nil, fmt.Errorf("bootstrap %s: %w (run make build)", cfg.Bootstrap, err)
	}
	if cfg.Sandbox == nil {
		// The function starts in its code root, not in this process's
		// directory, so a relative bootstrap is made absolute here.
		abs, err := filepath.Abs(cfg.Bootstrap)
		if err != nil {
			return nil, err
		}
		cfg.Bootstrap = abs
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.initLimit <= 0 {
		cfg.initLimit = InitLimit
	}
	if cfg.Logs == nil {
		cfg.Logs = io.Discard
	}
	if cfg.ports == nil {
		cfg.ports = FreePort
	}
	// The emulator counts its timeout from the invoke, init included;
	// exchange applies Lambda's limits, and the emulator's only backs them.
	dir, err := os.MkdirTemp("", "rie-") // short: its sockets' paths must fit a Unix socket's 108 bytes
	if err != nil {
		return nil, err
	}
	p := &Proc{cfg: cfg, dir: dir, crashed: make(chan struct{}), live: map[*instance]struct{}{}, emulatorEnv: append(cfg.Env, emulatorTimeoutVar(cfg)),
		// exchange times the function out; this bound only catches an
		// emulator that stopped answering at all.
		client: &http.Client{Timeout: emulatorTimeout(cfg) + 10*time.Second}}
	if err := p.sandboxFiles(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	in, err := p.launch(ctx)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p.live[in] = struct{}{}
	p.idle = append(p.idle, in)
	return p, nil
}

// emulatorTimeoutVar sets the emulator's own timeout. Lambda gives the
// function no such variable, so the runtime's start script takes it out
// (runtimeScript; red team round 21).
func emulatorTimeoutVar(cfg Config) string {
	return fmt.Sprintf("%s=%d", sandbox.EmulatorTimeout, int((emulatorTimeout(cfg)+time.Second-1)/time.Second))
}

// sandboxFiles writes into p.dir what each sandboxed environment binds:
// the function's accounts, the forwarder, and the function's environment.
// Confined, only the function's runtime reads that environment
// (sandbox.Confine): bwrap, the forwarder and the emulator start with the
// few variables the emulator reads, so that none the function sets
// (LD_PRELOAD, GODEBUG…) takes effect in them, on this machine or in the
// sandbox (red team round 17).
func (p *Proc) sandboxFiles() error {
	sb := p.cfg.Sandbox
	if sb == nil {
		return nil
	}
	accounts, err := sandbox.Accounts(p.dir)
	if err != nil {
		return err
	}
	p.cfg.Mounts = append(slices.Clone(p.cfg.Mounts), accounts...)
	if !sb.PrivateNet() {
		return nil
	}
	// The forwarder is bound by a name of the run's: bwrap's command line,
	// which the function can read, names no runner.
	if err := os.Symlink(sb.Forwarder, filepath.Join(p.dir, "netfwd")); err != nil {
		return fmt.Errorf("linking the sandbox's forwarder: %w", err)
	}
	for _, kv := range p.cfg.Env {
		if strings.ContainsRune(kv, 0) { // it would split into other variables in the file
			k, _, _ := strings.Cut(kv, "=")
			return fmt.Errorf("the function's variable %s holds a NUL byte, which no environment variable can hold", k)
		}
	}
	envFile := filepath.Join(p.dir, "function.env")
	if err := os.WriteFile(envFile, []byte(strings.Join(p.cfg.Env, "\x00")), 0o644); err != nil {
		return fmt.Errorf("writing the function's environment: %w", err)
	}
	p.cfg.Mounts = append(p.cfg.Mounts, sandbox.Mount{Host: envFile, At: sandbox.EnvAt})
	p.emulatorEnv = append(sandbox.EmulatorEnv(p.cfg.Env), emulatorTimeoutVar(p.cfg))
	return p.wrapExtensions()
}

// wrapExtensions starts each of the layers' extensions, which the emulator
// runs from /opt/extensions as Lambda does, through the confine step, as the
// runtime is started: an extension is the function's own code, and it ran
// outside the Landlock domain before (red team round 19). Each runs from
// sandbox.ExtAt, where the real ones are bound.
func (p *Proc) wrapExtensions() error {
	ext := ""
	for _, m := range p.cfg.Mounts {
		if m.At == sandbox.Opt && m.Host != "" {
			ext = filepath.Join(m.Host, "extensions")
		}
	}
	entries, err := os.ReadDir(ext)
	if ext == "" || errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the layers' extensions: %w", err)
	}
	dir := filepath.Join(p.dir, "extensions")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	for _, e := range entries {
		argv := sandbox.ConfineArgs(sandbox.EnvAt, path.Join(sandbox.ExtAt, e.Name()))
		if err := os.WriteFile(filepath.Join(dir, e.Name()), []byte("#!/bin/sh\nexec "+shellWords(argv)+" \"$@\"\n"), 0o755); err != nil {
			return fmt.Errorf("writing the start script of the extension %q: %w", e.Name(), err)
		}
	}
	p.cfg.Mounts = append(p.cfg.Mounts, sandbox.Mount{Host: ext, At: sandbox.ExtAt}, sandbox.Mount{Host: dir, At: path.Join(sandbox.Opt, "extensions")})
	return nil
}

func (p *Proc) crash(err error) {
	p.crashOnce.Do(func() {
		p.crashErr = err
		close(p.crashed)
	})
}

// Crashed is closed when the emulator died on its own; Err says how.
func (p *Proc) Crashed() <-chan struct{} { return p.crashed }

// Err is why the emulator crashed, or nil.
func (p *Proc) Err() error {
	select {
	case <-p.crashed:
		return p.crashErr
	default:
		return nil
	}
}

// Result is one invocation's answer, as Lambda would give it.
type Result struct {
	Body []byte
	// FunctionError is set when the body is an error object: the handler's
	// own, a timeout, or a failed init. The emulator answers a handler's
	// error with 200 and no X-Amz-Function-Error header, unlike Lambda.
	FunctionError bool
	// ErrorType is the error object's errorType, when it has one.
	ErrorType string
	// TimedOut is set when the function ran past its timeout.
	TimedOut bool
	// Init is set when the function failed before it was ready for the
	// event: its runtime never took the invocation from the Runtime API
	// (an import error, an exit during init), or said it could not load
	// the handler.
	Init bool
	// Cold is set when the invocation started a new runtime, which ran its
	// init first: a new environment, or one whose runtime had exited or
	// timed out. It is set on an abandoned invocation's Result too.
	Cold bool
}

// Invoke sends one event to an idle environment, or to a new one when all
// are busy, and returns the function's answer. An invoke whose ctx ends
// before the answer is abandoned: Invoke returns at once, and the
// invocation runs on to its end in its environment, which then takes the
// next one; Lambda's abandoned invocations run on too.
func (p *Proc) Invoke(ctx context.Context, payload []byte) (Result, error) {
	if err := p.Err(); err != nil {
		return Result{}, err
	}
	in, err := p.acquire(ctx)
	if err != nil {
		return Result{}, err
	}
	cold := in.cold
	in.cold = false
	before := in.api.delivered.Load()
	out := make(chan reply, 1)
	go func() { out <- p.exchange(in, payload) }()
	select {
	case r := <-out:
		return p.finish(in, r, cold, before)
	case <-ctx.Done():
		go func() { p.finish(in, <-out, cold, before) }()
		return Result{Cold: cold}, fmt.Errorf("invoking through the emulator: %w", ctx.Err())
	}
}

// MaxEnvironments is this runner's limit on live execution environments,
// each a sandbox with its own memory and /tmp: a handler that never
// answers leaves one busy for each abandoned attempt until its timeout,
// and Cognito's retries would start ever more. An invocation that finds
// every one busy waits for one, as a throttled invocation waits, until its
// caller gives up (rules §17). A handler that answers needs two or three.
const MaxEnvironments = 8

// acquire takes an idle environment, the most recently used first, or
// starts a new one, or, at MaxEnvironments, waits for one.
func (p *Proc) acquire(ctx context.Context) (*instance, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, errStopped
		}
		if n := len(p.idle); n > 0 {
			in := p.idle[n-1]
			p.idle = p.idle[:n-1]
			p.mu.Unlock()
			return in, nil
		}
		full := len(p.live) >= MaxEnvironments
		p.mu.Unlock()
		if !full {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("every one of the %d execution environments this runner allows is busy: %w", MaxEnvironments, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	in, err := p.launch(context.WithoutCancel(ctx))
	if err != nil {
		p.crash(fmt.Errorf("%w: a new execution environment could not be started: %v", ErrCrashed, err))
		return nil, p.crashErr
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed { // Stop ran while this one started
		in.stop()
		return nil, errStopped
	}
	p.live[in] = struct{}{}
	return in, nil
}

var errStopped = errors.New("the emulator was stopped")

// finish turns an environment's reply into Lambda's answer and gives the
// environment back, or ends it when it stopped answering.
func (p *Proc) finish(in *instance, r reply, cold bool, delivered int64) (Result, error) {
	if err := in.gate.outOfMachine(); err != nil {
		// The kernel ended a process for want of this machine's memory,
		// not the function's: no answer of this run can be judged.
		p.crash(err)
		p.discard(in)
		return Result{}, p.Err()
	}
	if errors.Is(r.err, errTimedOut) {
		// Lambda resets an environment whose function timed out.
		p.retire(in)
		res := timedOut(p.cfg.Timeout)
		res.Cold = cold
		return res, nil
	}
	if r.err != nil {
		if cerr := p.Err(); cerr != nil {
			return Result{}, cerr
		}
		// The emulator did not answer well after the function's timeout:
		// it is stuck. Lambda would have timed the function out; this
		// environment is ended, and the next invocation gets another.
		p.discard(in)
		res := timedOut(p.cfg.Timeout)
		res.Cold = cold
		return res, nil
	}
	res, err := p.lambdaAnswer(r.status, r.body, in.api.delivered.Load() > delivered)
	switch {
	case err != nil || res.FunctionError:
	case in.api.errored.Load():
		res = posted(r.body)
	case !in.api.responded.Load():
		// The answer reached the emulator some other way than through the
		// proxy: posted to its own Runtime API, perhaps as an error, which
		// its answer does not tell (red team round 18).
		res = around()
	}
	res.Cold = cold
	// After a failure or a timeout the emulator starts the runtime afresh
	// at the next invocation, as Lambda resets the environment.
	p.release(in, r.status != http.StatusOK || res.TimedOut)
	return res, err
}

// release makes an environment idle again, cold when its runtime will be
// started afresh.
func (p *Proc) release(in *instance, reset bool) {
	if reset {
		in.cold = true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		in.stop()
		return
	}
	p.idle = append(p.idle, in)
}

// discard ends an environment for good.
func (p *Proc) discard(in *instance) {
	p.mu.Lock()
	delete(p.live, in)
	p.mu.Unlock()
	in.stop()
}

// loadErrors are the error types with which a runtime says that it could
// not load the handler. Lambda's Python runtime reports a missing handler
// with each event rather than at init, so these mark a handler that cannot
// start whenever they come.
var loadErrors = map[string]bool{"Runtime.HandlerNotFound": true, "Runtime.MalformedHandlerName": true,
	"Runtime.ImportModuleError": true, "Runtime.UserCodeSyntaxError": true}

// raised reports whether an error's stack trace shows frames of code that
// ran (Python's `line N, in f`, Node.js's `at f (file:line:col)`): a
// runtime that could not load the handler reports none (Python's syntax
// error names its line as `Line N`), so a handler that raises an error
// named as a load error has still started, and refused or crashed (red team
// round 14). A handler that posts its own error to the Runtime API is not
// told apart.
func raised(body []byte) bool {
	for _, f := range gjson.GetBytes(body, "stackTrace").Array() {
		if s := f.String(); strings.Contains(s, ", in ") || strings.Contains(s, "    at ") {
			return true
		}
	}
	return false
}

// taskTimedOut is the emulator's plain-text answer when the function ran past
// its timeout.
var taskTimedOut = regexp.MustCompile(`^Task timed out after [0-9.]+ seconds$`)

// lambdaAnswer turns the emulator's answer into Lambda's. The emulator
// answers 502 both when the runtime failed before it took the event and
// when it failed with it (a panic, an exit, an answer over 6 MB); delivered
// says which: whether the runtime took this invocation from /next.
func (p *Proc) lambdaAnswer(status int, body []byte, delivered bool) (Result, error) {
	switch {
	case status == http.StatusOK && taskTimedOut.Match(bytes.TrimSpace(body)):
		return timedOut(p.cfg.Timeout), nil
	case status == http.StatusOK && !delivered && !IsErrorBody(body):
		// The runtime answered an event it never took through the proxy:
		// it took it from the emulator's own Runtime API, out of the
		// runner's sight and past its timeout. Lambda gives a function no
		// such way (red team round 16).
		return around(), nil
	case status == http.StatusOK:
		r := Result{Body: body, FunctionError: IsErrorBody(body)}
		if r.FunctionError {
			r.ErrorType = gjson.GetBytes(body, "errorType").String()
			r.Init = loadErrors[r.ErrorType] && !raised(body)
		}
		return r, nil
	case status == http.StatusBadGateway && IsErrorBody(body):
		// The runtime reported the error, or the emulator did for it
		// (Function.ResponseSizeTooLarge, Runtime.ExitError), as Lambda does.
		typ := gjson.GetBytes(body, "errorType").String()
		return Result{Body: body, FunctionError: true, Init: !delivered || (loadErrors[typ] && !raised(body)), ErrorType: typ}, nil
	case status == http.StatusBadGateway:
		// The runtime exited without reporting why; Lambda says
		// Runtime.ExitError with the exit status, which only the
		// emulator's log names.
		return Result{Body: errorBody("Runtime.ExitError", "RequestId: "+requestID()+" Error: "+exitReason(p.cfg.Logs)),
			FunctionError: true, Init: !delivered, ErrorType: "Runtime.ExitError"}, nil
	}
	return Result{}, fmt.Errorf("the emulator answered HTTP %d: %.300s", status, body)
}

// posted is Lambda's answer when the runtime posted the invocation's error
// with a body that is not an error object: a function error all the same,
// of type Unhandled, with the body as its payload (red team round 17).
func posted(body []byte) Result {
	return Result{Body: errorBody("Unhandled", fmt.Sprintf("the runtime posted this invocation's error: %.200s", body)), FunctionError: true, ErrorType: "Unhandled"}
}

// around is the answer to an invocation the runtime took or answered
// around its $AWS_LAMBDA_RUNTIME_API: an error of the runner's own type.
func around() Result {
	return Result{Body: errorBody(errAround, "the function answered an event it did not take from, or answer to, $AWS_LAMBDA_RUNTIME_API, the only Runtime API Lambda gives it"),
		FunctionError: true, ErrorType: errAround}
}

// errAround is the error type of an answer that went around the function's
// Runtime API; it is this runner's, not Lambda's.
const errAround = "Autoconfirm.AroundRuntimeAPI"

// timedOut is Lambda's answer when a function runs past its timeout.
func timedOut(limit time.Duration) Result {
	msg := fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID(), limit.Seconds())
	return Result{Body: errorBody("Sandbox.Timedout", msg), FunctionError: true, ErrorType: "Sandbox.Timedout", TimedOut: true}
}

func errorBody(typ, msg string) []byte {
	b, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
	return b
}

func requestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// exitReason finds the emulator's last "Runtime exited …" line in its log.
func exitReason(logs io.Writer) string {
	const fallback = "Runtime exited without providing a reason"
	b, ok := logs.(interface{ Bytes() []byte })
	if !ok {
		return fallback
	}
	m := regexp.MustCompile(`error=(Runtime exited[^\n]*?)(?: InvokeID=[^\n]*)?\n`).FindAllSubmatch(b.Bytes(), -1)
	if len(m) == 0 {
		return fallback
	}
	return string(m[len(m)-1][1])
}

// IsErrorBody reports whether a function's answer is the runtime's error
// object ({"errorMessage": …, "errorType": …}) rather than an event.
func IsErrorBody(b []byte) bool {
	r := gjson.ParseBytes(b)
	return r.IsObject() && r.Get("errorMessage").Type == gjson.String && !r.Get("triggerSource").Exists()
}

// Alive reports whether every environment's emulator still runs.
func (p *Proc) Alive() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for in := range p.live {
		select {
		case <-in.done:
			return false
		default:
		}
	}
	return len(p.live) > 0
}

// Pid is the emulator's process id in the environment used last.
func (p *Proc) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.idle); n > 0 {
		return p.idle[n-1].cmd.Process.Pid
	}
	for in := range p.live {
		return in.cmd.Process.Pid
	}
	return 0
}

// Stop ends every environment's emulator and function, those running an
// abandoned invocation included, and waits for them.
func (p *Proc) Stop() {
	p.mu.Lock()
	p.closed = true
	live := p.live
	p.live = map[*instance]struct{}{}
	p.idle = nil
	p.mu.Unlock()
	var wg sync.WaitGroup
	for in := range live {
		wg.Add(1)
		go func() { defer wg.Done(); in.stop() }()
	}
	wg.Wait()
	p.retiring.Wait()
	os.RemoveAll(p.dir)
}
