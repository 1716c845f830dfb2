// Package rie runs a Lambda bootstrap under the AWS Lambda Runtime Interface
// Emulator, which the module pins as a go tool, and turns the emulator's
// answers into the ones Lambda gives: a timeout, an init failure and a
// runtime that exited all come back as function errors in Lambda's shape.
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
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tidwall/gjson"
)

// Binary returns the path of the pinned aws-lambda-rie, building it into the
// Go build cache on first use.
func Binary(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "tool", "-n", "aws-lambda-rie").Output()
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
	// Binary is aws-lambda-rie; Bootstrap the function's executable.
	Binary, Bootstrap string
	// Env is the whole environment of the emulator and the function.
	Env []string
	// Timeout is the function's timeout. The emulator applies it
	// (AWS_LAMBDA_FUNCTION_TIMEOUT), and Invoke gives up on an emulator that
	// has not answered well after it. Zero means Lambda's default, 3 s.
	Timeout time.Duration
	// Logs receives what the emulator and the function print.
	Logs io.Writer
}

// DefaultTimeout is the timeout Lambda gives a new function.
const DefaultTimeout = 3 * time.Second

// ErrCrashed is Invoke's error once the emulator has died on its own.
var ErrCrashed = errors.New("the Runtime Interface Emulator crashed")

// Proc is a running emulator with its function. It restarts the emulator
// when an invocation is abandoned, as Lambda would give the next one a new
// execution environment; a crash it does not hide: Crashed closes.
type Proc struct {
	cfg    Config
	client *http.Client

	mu sync.Mutex // one invoke at a time: two at once make the emulator panic
	// cur changes only under mu; Stop reads it without, so that it need not
	// wait for an invoke in flight.
	cur    atomic.Pointer[instance]
	closed atomic.Bool

	crashOnce sync.Once
	crashed   chan struct{}
	crashErr  error
}

// instance is one emulator process.
type instance struct {
	cmd      *exec.Cmd
	url      string
	done     chan struct{}
	serving  atomic.Bool // listening, so an exit now is a crash
	stopping atomic.Bool
}

// Start launches bootstrap under the emulator with env added to this
// process's environment, and waits until it accepts connections.
func Start(ctx context.Context, rieBin, bootstrap string, env []string, logs io.Writer) (*Proc, error) {
	return StartWith(ctx, Config{Binary: rieBin, Bootstrap: bootstrap, Env: append(os.Environ(), env...), Logs: logs, Timeout: 30 * time.Second})
}

// StartWith launches the emulator as cfg says and waits until it accepts
// connections.
func StartWith(ctx context.Context, cfg Config) (*Proc, error) {
	if _, err := os.Stat(cfg.Bootstrap); err != nil {
		return nil, fmt.Errorf("bootstrap %s: %w (run make build)", cfg.Bootstrap, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Logs == nil {
		cfg.Logs = io.Discard
	}
	cfg.Env = append(cfg.Env, fmt.Sprintf("AWS_LAMBDA_FUNCTION_TIMEOUT=%d", int((cfg.Timeout+time.Second-1)/time.Second)))
	p := &Proc{cfg: cfg, crashed: make(chan struct{}),
		// The emulator answers a timed-out invoke itself; this bound only
		// catches an emulator that stopped answering at all.
		client: &http.Client{Timeout: cfg.Timeout + 10*time.Second}}
	in, err := p.launch(ctx)
	if err != nil {
		return nil, err
	}
	p.cur.Store(in)
	return p, nil
}

// launch starts an emulator process, retrying when another process took a
// port between FreePort and the emulator binding it.
func (p *Proc) launch(ctx context.Context) (*instance, error) {
	for attempt := 1; ; attempt++ {
		in, err := p.launchOnce(ctx)
		if err == nil || !errors.Is(err, ErrExited) || attempt == startAttempts {
			return in, err
		}
	}
}

func (p *Proc) launchOnce(ctx context.Context) (*instance, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	apiPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(p.cfg.Binary,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", apiPort),
		"--log-level", "error",
		p.cfg.Bootstrap)
	cmd.Env = p.cfg.Env
	// A process group of its own, so a stop also ends the function it runs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = p.cfg.Logs, p.cfg.Logs
	// A grandchild that escaped the group may hold the output pipe open;
	// Wait must not block on it.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", p.cfg.Binary, err)
	}
	in := &instance{cmd: cmd, url: "http://" + addr + "/2015-03-31/functions/function/invocations", done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		close(in.done)
		if in.serving.Load() && !in.stopping.Load() {
			p.crash(fmt.Errorf("%w: it exited (%v) while it should have been serving", ErrCrashed, err))
		}
	}()
	if err := WaitListening(ctx, addr, 10*time.Second, in.done); err != nil {
		in.stop()
		return nil, fmt.Errorf("the emulator: %w", err)
	}
	in.serving.Store(true)
	select {
	case <-in.done: // it died between listening and now
		return nil, fmt.Errorf("the emulator: %w", ErrExited)
	default:
	}
	return in, nil
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

// ErrExited is WaitListening's error when the process died first, most often
// because another process took the port it was given.
var ErrExited = errors.New("exited before it listened")

// startAttempts bounds the retries of a start whose port was taken between
// FreePort and the child binding it: a child process binds its own ports.
const startAttempts = 3

// WaitListening waits until something accepts connections on addr, for at
// most limit, or until exited closes (the process that should listen died).
func WaitListening(ctx context.Context, addr string, limit time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("%w on %s", ErrExited, addr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening on %s after %s", addr, limit)
		}
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
	// Init is set when the function failed before it could take the event:
	// an import error, a missing handler, a runtime that exited.
	Init bool
}

// Invoke sends one event and returns the function's answer. Invokes are sent
// one at a time, because two at once make the emulator panic. An invoke
// whose ctx ends before the answer leaves the emulator in a state nobody
// knows, so the emulator is started afresh for the next one.
func (p *Proc) Invoke(ctx context.Context, payload []byte) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.Err(); err != nil {
		return Result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.cur.Load().url, bytes.NewReader(payload))
	if err != nil {
		return Result{}, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if cerr := p.Err(); cerr != nil {
			return Result{}, cerr
		}
		if ctx.Err() == nil {
			// The emulator did not answer well after the function's
			// timeout: it is stuck. Lambda would have timed the function
			// out; a new emulator takes the next invoke.
			if rerr := p.restart(context.WithoutCancel(ctx)); rerr != nil {
				return Result{}, rerr
			}
			return timedOut(p.cfg.Timeout), nil
		}
		if rerr := p.restart(context.WithoutCancel(ctx)); rerr != nil {
			return Result{}, rerr
		}
		return Result{}, fmt.Errorf("invoking through the emulator: %w", ctx.Err())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Result{}, err
	}
	return p.lambdaAnswer(resp.StatusCode, body)
}

// taskTimedOut is the emulator's plain-text answer when the function ran past
// its timeout.
var taskTimedOut = regexp.MustCompile(`^Task timed out after [0-9.]+ seconds$`)

// lambdaAnswer turns the emulator's answer into Lambda's.
func (p *Proc) lambdaAnswer(status int, body []byte) (Result, error) {
	switch {
	case status == http.StatusOK && taskTimedOut.Match(bytes.TrimSpace(body)):
		return timedOut(p.cfg.Timeout), nil
	case status == http.StatusOK:
		r := Result{Body: body, FunctionError: IsErrorBody(body)}
		if r.FunctionError {
			r.ErrorType = gjson.GetBytes(body, "errorType").String()
		}
		return r, nil
	case status == http.StatusBadGateway && IsErrorBody(body):
		// The runtime reported an init error; Lambda answers every invoke
		// of a function that cannot start with that error.
		return Result{Body: body, FunctionError: true, Init: true, ErrorType: gjson.GetBytes(body, "errorType").String()}, nil
	case status == http.StatusBadGateway:
		// The runtime exited without reporting why; Lambda says
		// Runtime.ExitError with the exit status, which only the
		// emulator's log names.
		return Result{Body: errorBody("Runtime.ExitError", "RequestId: "+requestID()+" Error: "+exitReason(p.cfg.Logs)),
			FunctionError: true, Init: true, ErrorType: "Runtime.ExitError"}, nil
	}
	return Result{}, fmt.Errorf("the emulator answered HTTP %d: %.300s", status, body)
}

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

// restart stops the current emulator and starts another; the caller holds mu.
func (p *Proc) restart(ctx context.Context) error {
	p.cur.Load().stop()
	if p.closed.Load() {
		return errors.New("the emulator was stopped")
	}
	in, err := p.launch(ctx)
	if err != nil {
		p.crash(fmt.Errorf("%w: it could not be restarted: %v", ErrCrashed, err))
		return p.crashErr
	}
	p.cur.Store(in)
	if p.closed.Load() { // Stop ran while this one started
		in.stop()
	}
	return nil
}

// Alive reports whether the emulator process still runs.
func (p *Proc) Alive() bool {
	select {
	case <-p.cur.Load().done:
		return false
	default:
		return true
	}
}

// Pid is the current emulator's process id.
func (p *Proc) Pid() int {
	return p.cur.Load().cmd.Process.Pid
}

// Stop ends the emulator and its function and waits for them. It does not
// wait for an invoke in flight, which ends with the emulator.
func (p *Proc) Stop() {
	p.closed.Store(true)
	if in := p.cur.Load(); in != nil {
		in.stop()
	}
}

// stop ends the process group and waits for the emulator.
func (in *instance) stop() {
	in.stopping.Store(true)
	if in.cmd.Process == nil {
		return
	}
	pgid := -in.cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-in.done:
	case <-time.After(2 * time.Second):
		syscall.Kill(pgid, syscall.SIGKILL)
		<-in.done
	}
	syscall.Kill(pgid, syscall.SIGKILL) // the function, if it outlived the emulator
}

// Log collects what the emulator and its function print; it is safe to
// read while they write.
type Log struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Log) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(b)
}

// Bytes returns a copy of everything written so far.
func (l *Log) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}
