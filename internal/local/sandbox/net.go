package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// The sandbox has a network namespace of its own: its loopback holds only
// what its own processes bind, so a function cannot reach cognito-local, the
// gateway or anything else the host listens on (rules §18). What it must
// reach crosses over Unix sockets in a directory bound read-only into it,
// NetDir, whose host ends the runner serves: connecting needs no write, and
// the function can neither fill the host's disk there nor replace them.
// What the host must reach (the emulator's ports) crosses the other way
// over sockets the forwarder makes in SockDir, a small tmpfs of the
// sandbox's own, which the host reaches through /proc/<pid>/root. A
// forwarder, the runner itself re-executed as ForwardCommand, starts the
// emulator and relays between the sandbox's loopback ports and both kinds
// of sockets.

// ForwardCommand is the runner's hidden subcommand that runs Forward.
const ForwardCommand = "__autoconfirm-sandbox-net"

// Where the forwarder and its sockets are in the sandbox.
const (
	ForwarderAt = "/var/rapid/netfwd"
	NetDir      = "/var/rapid/net"
	SockDir     = "/var/rapid/sock"
	// SockBytes caps SockDir: sockets take no room, and the function's
	// writes there count against this, not the host.
	SockBytes = 1 << 20
)

// Route is one crossing: Out listens on TCP in the sandbox and relays to
// the Unix socket the host serves; In (Out false) listens on the Unix
// socket, once something in the sandbox accepts on TCP, and relays to it.
type Route struct {
	TCP, Unix string
	Out       bool
}

func (r Route) String() string {
	if r.Out {
		return "-out=" + r.TCP + "=" + r.Unix
	}
	return "-in=" + r.Unix + "=" + r.TCP
}

// ForwardArgs is the forwarder's command line, run in the sandbox, that
// sets routes up and runs argv.
func ForwardArgs(routes []Route, argv ...string) []string {
	a := []string{ForwarderAt, ForwardCommand}
	for _, r := range routes {
		a = append(a, r.String())
	}
	return append(append(a, "--"), argv...)
}

// Forward is the forwarder's main: it sets the routes up, runs the command
// with its own standard streams and environment, and exits as it does.
// It dies with the sandbox, whose PID namespace ends with its init.
func Forward(args []string) int {
	routes, argv, err := parseRoutes(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox forwarder:", err)
		return 2
	}
	for _, r := range routes {
		if !r.Out {
			continue
		}
		ln, err := net.Listen("tcp", r.TCP)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sandbox forwarder:", err)
			return 2
		}
		go Serve(ln, "unix", r.Unix)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox forwarder:", err)
		return 2
	}
	exited := make(chan struct{})
	for _, r := range routes {
		if !r.Out {
			go forwardIn(r, exited)
		}
	}
	err = cmd.Wait()
	close(exited)
	return exitStatus(cmd, err)
}

func parseRoutes(args []string) ([]Route, []string, error) {
	var routes []Route
	for i, a := range args {
		if a == "--" {
			if i+1 == len(args) {
				return nil, nil, errors.New("no command after --")
			}
			return routes, args[i+1:], nil
		}
		kind, rest, _ := strings.Cut(a, "=")
		x, y, ok := strings.Cut(rest, "=")
		switch {
		case !ok:
			return nil, nil, fmt.Errorf("route %q is not -out=TCP=UNIX or -in=UNIX=TCP", a)
		case kind == "-out":
			routes = append(routes, Route{TCP: x, Unix: y, Out: true})
		case kind == "-in":
			routes = append(routes, Route{Unix: x, TCP: y})
		default:
			return nil, nil, fmt.Errorf("route %q is not -out=TCP=UNIX or -in=UNIX=TCP", a)
		}
	}
	return nil, nil, errors.New("no -- before the command")
}

// forwardIn waits until something in the sandbox accepts on r.TCP, then
// listens on r.Unix: the socket's existence tells the host that the port
// is served.
func forwardIn(r Route, exited <-chan struct{}) {
	for {
		c, err := net.DialTimeout("tcp", r.TCP, 100*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
	ln, err := net.Listen("unix", r.Unix)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox forwarder:", err)
		return
	}
	Serve(ln, "tcp", r.TCP)
}

func exitStatus(cmd *exec.Cmd, err error) int {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return 0
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}

// MaxRelayed bounds the connections one relay holds at once. Each costs
// the relaying process descriptors, and the function can open as many as
// it likes: past the bound, a new one is closed at once, which fails only
// the function's own call. The SDKs pool far fewer (boto3 10, the JS SDK 50).
const MaxRelayed = 128

// Serve relays each connection accepted on ln to a new connection to addr
// on network, until ln is closed; at most MaxRelayed at once.
func Serve(ln net.Listener, network, addr string) {
	held := make(chan struct{}, MaxRelayed)
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		select {
		case held <- struct{}{}:
		default:
			c.Close()
			continue
		}
		go func() {
			defer func() { <-held }()
			defer c.Close()
			var d net.Dialer
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			up, err := d.DialContext(ctx, network, addr)
			cancel()
			if err != nil {
				return
			}
			defer up.Close()
			relay(c, up)
		}()
	}
}

// relay copies both ways, passing each side's end of writing on, so that a
// request or an answer that ends with its sender's close arrives whole.
func relay(a, b net.Conn) {
	done := make(chan struct{})
	go func() {
		io.Copy(b, a)
		closeWrite(b)
		close(done)
	}()
	io.Copy(a, b)
	closeWrite(a)
	<-done
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.Close()
}
