// Package rie runs a Lambda bootstrap under the AWS Lambda Runtime Interface
// Emulator, which the module pins as a go tool, and turns the emulator's
// answers into the ones Lambda gives: a timeout, an init failure and a
// runtime that exited all come back as function errors in Lambda's shape.
// Between the runtime and the emulator's Runtime API it keeps a proxy, so
// that an init failure (the runtime never took the event) is told from a
// failure with the event, whatever the emulator's HTTP status.
package rie

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/hostenv"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
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
// starts a new one, or, at MaxEnvironments, waits for one. The
// invocation's start (WithStart) is told when it has an idle environment,
// or starts a new one: the wait before is this runner's, the cold start
// after is Lambda's.
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
			Started(ctx)
			return in, nil
		}
		full := len(p.live) >= MaxEnvironments
		p.mu.Unlock()
		if !full {
			if in, err := p.launchNew(ctx); in != nil || err != nil {
				return in, err
			}
			continue // the environments filled up meanwhile
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("every one of the %d execution environments this runner allows is busy, or starting: %w", MaxEnvironments, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// launchNew starts a new environment; nil and no error when the
// environments filled up meanwhile.
func (p *Proc) launchNew(ctx context.Context) (*instance, error) {
	p.mu.Lock()
	full := len(p.live) >= MaxEnvironments
	p.mu.Unlock()
	if full {
		return nil, nil
	}
	Started(ctx)
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
