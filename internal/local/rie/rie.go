// Package rie runs a Lambda bootstrap binary under the AWS Lambda Runtime
// Interface Emulator, which the module pins as a go tool.
package rie

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
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

// Proc is a running emulator with its function.
type Proc struct {
	cmd    *exec.Cmd
	URL    string // invoke URL
	client *http.Client
	mu     sync.Mutex // RIE panics on concurrent invokes
	done   chan struct{}
}

// Start launches bootstrap under the emulator with env added to this
// process's environment, and waits until it accepts connections.
func Start(ctx context.Context, rieBin, bootstrap string, env []string, logs io.Writer) (*Proc, error) {
	if _, err := os.Stat(bootstrap); err != nil {
		return nil, fmt.Errorf("bootstrap %s: %w (run make build)", bootstrap, err)
	}
	for attempt := 1; ; attempt++ {
		p, err := start(ctx, rieBin, bootstrap, env, logs)
		if err == nil || !errors.Is(err, ErrExited) || attempt == startAttempts {
			return p, err
		}
	}
}

func start(ctx context.Context, rieBin, bootstrap string, env []string, logs io.Writer) (*Proc, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	apiPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(rieBin,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", apiPort),
		"--log-level", "error",
		bootstrap)
	cmd.Env = append(os.Environ(), env...)
	// A process group of its own, so Stop also ends the function it runs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if logs == nil {
		logs = io.Discard
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", rieBin, err)
	}
	p := &Proc{cmd: cmd, URL: "http://" + addr + "/2015-03-31/functions/function/invocations",
		client: &http.Client{Timeout: 30 * time.Second}, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	if err := WaitListening(ctx, addr, 10*time.Second, p.done); err != nil {
		p.Stop()
		return nil, fmt.Errorf("the emulator: %w", err)
	}
	return p, nil
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

// Result is one invocation's answer.
type Result struct {
	Body []byte
	// FunctionError is set when the body is an error object: RIE answers 200
	// either way and sets no X-Amz-Function-Error header, unlike Lambda.
	FunctionError bool
}

// Invoke sends one event and returns the function's answer. Invokes are sent
// one at a time, because two at once make the emulator panic.
func (p *Proc) Invoke(ctx context.Context, payload []byte) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(payload))
	if err != nil {
		return Result{}, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("invoking through the emulator: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Result{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return Result{}, fmt.Errorf("the emulator answered HTTP %d: %.300s", resp.StatusCode, body)
	}
	return Result{Body: body, FunctionError: IsErrorBody(body)}, nil
}

// IsErrorBody reports whether a function's answer is the runtime's error
// object ({"errorMessage": …, "errorType": …}) rather than an event.
func IsErrorBody(b []byte) bool {
	r := gjson.ParseBytes(b)
	return r.IsObject() && r.Get("errorMessage").Type == gjson.String && !r.Get("triggerSource").Exists()
}

// Alive reports whether the emulator process still runs.
func (p *Proc) Alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Pid is the emulator's process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Stop ends the emulator and its function and waits for them.
func (p *Proc) Stop() {
	if p.cmd.Process == nil {
		return
	}
	pgid := -p.cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(2 * time.Second):
		syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
	}
	syscall.Kill(pgid, syscall.SIGKILL) // the function, if it outlived the emulator
}
