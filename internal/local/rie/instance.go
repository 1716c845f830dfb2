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
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/child"

	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// instance is one execution environment: an emulator process, the runtime
// it starts, and the proxy between them.
type instance struct {
	cmd      *exec.Cmd
	url      string
	api      *runtimeAPI
	done     chan struct{}
	serving  atomic.Bool // listening, so an exit now is a crash
	stopping atomic.Bool
	// cold is set while the next invocation starts a new runtime; only the
	// invocation holding the instance reads or writes it.
	cold bool
	// early is what the emulator printed first, where a failed bind shows.
	early capped
	// sandboxed: the emulator runs below cmd's process, in a sandbox,
	// which gate starts.
	sandboxed bool
	gate      *gate
	// net is the bridge into the sandbox's own network namespace, or nil
	// where the environment shares the host's; client reaches url through
	// it, and wait is what serves once the emulator listens: its address,
	// or the bridge's sockets.
	net    *bridge
	client *http.Client
	wait   []string
}

// reply is the emulator's raw answer to one invocation.
type reply struct {
	status int
	body   []byte
	err    error
}

// send posts one event to the emulator. It has no context: an invocation
// runs to its end even when its caller leaves, and the client's timeout
// bounds an emulator that stopped answering.
func (in *instance) send(payload []byte) reply {
	resp, err := in.client.Post(in.url, "application/json", bytes.NewReader(payload))
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply+1))
	if len(body) > maxReply {
		// The emulator answers a larger one with its own error; only
		// something else on its socket sends this much.
		return reply{err: fmt.Errorf("the answer on the emulator's socket is over %d bytes, which the emulator never sends", maxReply)}
	}
	return reply{status: resp.StatusCode, body: body, err: err}
}

// maxReply bounds what the host reads of one answer: Lambda's 6 MB payload
// limit, which the emulator enforces, with room for its error body.
const maxReply = 8 << 20

// ErrExited is WaitListening's error when the process died first, most often
// because another process took the port it was given.
var ErrExited = errors.New("exited before it listened")

// errPortTaken is a start that lost a port to another process.
var errPortTaken = errors.New("a port it was given was taken by another process")

// startAttempts bounds the retries of a start whose port was taken between
// FreePort and the emulator binding it: the emulator binds its own ports.
const startAttempts = 5

// launch starts an environment, retrying with new ports when another
// process took one between picking it and the emulator binding it.
func (p *Proc) launch(ctx context.Context) (*instance, error) {
	for attempt := 1; ; attempt++ {
		in, err := p.launchOnce(ctx)
		if err == nil || !errors.Is(err, errPortTaken) || attempt == startAttempts {
			return in, err
		}
	}
}

func (p *Proc) launchOnce(ctx context.Context) (*instance, error) {
	port, err := p.cfg.ports()
	if err != nil {
		return nil, err
	}
	apiPort, err := p.cfg.ports()
	if err != nil {
		return nil, err
	}
	addr, apiAddr := fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("127.0.0.1:%d", apiPort)
	in := &instance{done: make(chan struct{}), cold: true, sandboxed: p.cfg.Sandbox != nil, client: p.client,
		url: "http://" + addr + "/2015-03-31/functions/function/invocations", wait: []string{addr}}
	n := p.next()
	apiDial, err := p.network(in, n, addr, apiAddr)
	if err != nil {
		return nil, err
	}
	if in.api, err = newRuntimeAPI(apiAddr, apiDial); err != nil {
		in.net.close()
		return nil, err
	}
	if in.net != nil {
		// The runtime reaches the proxy at the same address in the sandbox.
		if err := in.net.outbound(in.api.addr); err != nil {
			in.api.close()
			in.net.close()
			return nil, err
		}
	}
	boot, err := p.runtimeScript(in.api.addr, n)
	if err != nil {
		in.api.close()
		in.net.close()
		return nil, err
	}
	if p.cfg.Sandbox != nil {
		if in.gate, err = newGate(p.cfg.Sandbox, p.cfg.MemoryMB); err != nil {
			in.api.close()
			in.net.close()
			return nil, err
		}
	}
	in.cmd = p.command(in.net, in.gate, boot, "--runtime-interface-emulator-address", addr,
		"--runtime-api-address", apiAddr, "--log-level", "error")
	if err := p.begin(in); err != nil {
		return nil, err
	}
	if err := in.listening(ctx, port, apiPort); err != nil {
		in.stop()
		return nil, fmt.Errorf("the emulator: %w", err)
	}
	if err := in.gate.limitTasks(); err != nil {
		in.stop()
		return nil, err
	}
	in.serving.Store(true)
	return in, nil
}

// network gives an environment in a sandbox of its own network namespace
// the bridge that its endpoints cross: the host reaches the emulator's
// addr and apiAddr through sockets. It returns how the Runtime API proxy
// dials apiAddr: nil, directly, without a namespace.
func (p *Proc) network(in *instance, n int, addr, apiAddr string) (func(context.Context, string, string) (net.Conn, error), error) {
	if p.cfg.Sandbox == nil || !p.cfg.Sandbox.PrivateNet() {
		return nil, nil
	}
	b, err := newBridge(filepath.Join(p.dir, fmt.Sprintf("net-%d", n)), p.cfg.Reach)
	if err != nil {
		return nil, err
	}
	in.net = b
	invoke, api := b.inbound(addr), b.inbound(apiAddr)
	in.client = &http.Client{Timeout: p.client.Timeout, Transport: &http.Transport{DialContext: b.dialer(invoke)}}
	in.wait = []string{invoke, api}
	return b.dialer(api), nil
}

// begin starts an environment's process and watches for its end.
func (p *Proc) begin(in *instance) error {
	in.cmd.Env = p.emulatorEnv
	// A process group of its own, so a stop also ends the function it runs.
	in.cmd.SysProcAttr = child.SysProcAttr(&syscall.SysProcAttr{Setpgid: true}) // it ends with whatever started it
	out := io.MultiWriter(p.cfg.Logs, &in.early)
	in.cmd.Stdout, in.cmd.Stderr = out, out
	// A grandchild that escaped the group may hold the output pipe open;
	// Wait must not block on it.
	in.cmd.WaitDelay = 2 * time.Second
	if in.gate != nil {
		in.cmd.ExtraFiles = in.gate.files()
	}
	if err := in.cmd.Start(); err != nil {
		in.gate.close()
		in.gate.remove()
		in.api.close()
		in.net.close()
		return fmt.Errorf("starting %s: %w", p.cfg.Binary, err)
	}
	go func() {
		err := in.cmd.Wait()
		in.gate.remove() // what the sandbox's end left, as the kernel ends a PID namespace
		close(in.done)
		in.api.close()
		in.net.close()
		if in.serving.Load() && !in.stopping.Load() {
			p.crash(fmt.Errorf("%w: it exited (%s) while it should have been serving", ErrCrashed, exitOf(err)))
		}
	}()
	var env watched
	if in.gate != nil {
		pid, err := in.gate.open()
		in.gate.close()
		if err != nil {
			in.stop()
			return err
		}
		in.net.enter(pid)
		env = watched{sandbox: pid, gate: in.gate, stop: p.crash}
	}
	if p.cfg.MemoryMB > 0 {
		go watch(in.cmd.Process.Pid, p.cfg.MemoryMB, env, in.done, p.noteEnded)
	}
	return nil
}

// In the sandbox, the emulator and the runtime's start script are bound
// where Lambda keeps its own init.
const (
	sandboxRIE  = "/var/rapid/aws-lambda-rie"
	sandboxBoot = "/var/rapid/runtime"
)

// command is the emulator with args, starting boot: in the sandbox when the
// config has one, else as it is. The emulator starts the runtime in its own
// working directory: the code root, as Lambda starts a function in
// /var/task.
func (p *Proc) command(b *bridge, g *gate, boot string, args ...string) *exec.Cmd {
	dir := taskRoot(p.cfg.Env, p.cfg.Bootstrap)
	if p.cfg.Sandbox == nil {
		cmd := exec.Command(p.cfg.Binary, append(args, boot)...)
		cmd.Dir = dir
		return cmd
	}
	mounts := append(slices.Clone(p.cfg.Mounts), sandbox.Mount{Host: p.cfg.Binary, At: sandboxRIE}, sandbox.Mount{Host: boot, At: sandboxBoot})
	argv := append(append([]string{sandboxRIE}, args...), sandboxBoot)
	if b != nil {
		// The forwarder starts the emulator and bridges the network.
		mounts = append(mounts, sandbox.Mount{Host: filepath.Join(p.dir, "netfwd"), At: sandbox.ForwarderAt},
			sandbox.Mount{Host: b.dir, At: sandbox.NetDir},
			sandbox.Mount{At: sandbox.SockDir, TmpfsBytes: sandbox.SockBytes})
		argv = sandbox.ForwardArgs(b.routes, argv...)
	}
	return exec.Command(p.cfg.Sandbox.Bwrap, append(g.args(), p.cfg.Sandbox.Command(mounts, dir, argv...)...)...)
}

// next numbers a new environment.
func (p *Proc) next() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.launched++
	return p.launched
}

// runtimeScript writes the executable the emulator starts: the bootstrap,
// with the Runtime API pointed at the proxy, confined in a sandbox with a
// forwarder (sandbox.Confine). The emulator sets
// AWS_LAMBDA_RUNTIME_API itself, over any value in its environment.
func (p *Proc) runtimeScript(api string, n int) (string, error) {
	path := filepath.Join(p.dir, fmt.Sprintf("bootstrap-%d", n))
	argv := []string{p.cfg.Bootstrap}
	if p.cfg.Sandbox != nil && p.cfg.Sandbox.Forwarder != "" {
		argv = sandbox.ConfineArgs(sandbox.EnvAt, argv...)
	}
	// The emulator's own timeout is not the function's: the function's own
	// value, if it set one, else none.
	timeout := "unset " + sandbox.EmulatorTimeout
	if v, ok := lastValue(p.cfg.Env, sandbox.EmulatorTimeout); ok {
		timeout = sandbox.EmulatorTimeout + "=" + shellWords([]string{v}) + "\nexport " + sandbox.EmulatorTimeout
	}
	script := fmt.Sprintf("#!/bin/sh\nAWS_LAMBDA_RUNTIME_API='%s'\nexport AWS_LAMBDA_RUNTIME_API\n%s\nexec %s \"$@\"\n",
		api, timeout, shellWords(argv))
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		return "", fmt.Errorf("writing the runtime's start script: %w", err)
	}
	return path, nil
}

// shellWords quotes each of argv as one word of a shell command.
func shellWords(argv []string) string {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

// lastValue is key's value in env, the last one winning, as in exec.
func lastValue(env []string, key string) (v string, ok bool) {
	for _, e := range env {
		if val, found := strings.CutPrefix(e, key+"="); found {
			v, ok = val, true
		}
	}
	return v, ok
}

// taskRoot is LAMBDA_TASK_ROOT as env sets it (the last value wins, as in
// exec), else the bootstrap's directory.
func taskRoot(env []string, bootstrap string) string {
	if root, _ := lastValue(env, "LAMBDA_TASK_ROOT"); root != "" {
		return root
	}
	return filepath.Dir(bootstrap)
}

// stop ends the process group and waits for the emulator.
func (in *instance) stop() {
	in.stopping.Store(true)
	defer in.api.close()
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

// exitOf says how a process ended, from its Wait: a nil error is a clean
// exit, said as such rather than as <nil>.
func exitOf(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
