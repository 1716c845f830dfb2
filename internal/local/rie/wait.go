package rie

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/termtext"
)

// listening waits until the emulator listens (in.wait serves), and checks
// that it holds both its ports itself: a connection may reach another
// process that took the port, and the emulator binds the Runtime API's port
// apart. In a network namespace of its own no other process can take them,
// and the check only confirms that the emulator bound them there.
func (in *instance) listening(ctx context.Context, ports ...int) error {
	var err error
	for _, w := range in.wait {
		if in.net != nil {
			w = in.net.host(w)
		}
		if err == nil {
			err = waitFor(ctx, w, 10*time.Second, in.done)
		}
	}
	if err == nil {
		err = in.owns(ctx, ports...)
	}
	switch {
	case errors.Is(err, ErrExited) && strings.Contains(in.early.String(), "address already in use"):
		return fmt.Errorf("%w: %v", errPortTaken, err)
	case err != nil:
		return fmt.Errorf("%w\n%s", err, termtext.Block(in.early.String()))
	}
	return nil
}

// owns waits until each port's listening socket is one of the emulator's
// open files, or the emulator exits; where /proc cannot say, it trusts the
// connection.
func (in *instance) owns(ctx context.Context, ports ...int) error {
	deadline := time.Now().Add(10 * time.Second)
	for _, port := range ports {
		if err := WaitOwned(ctx, in.cmd.Process.Pid, port, in.sandboxed, time.Until(deadline), in.done); err != nil {
			return err
		}
	}
	return nil
}

// WaitOwned waits until the loopback socket listening on port is pid's
// (with family, pid's or a descendant's), for at most limit, or until
// exited closes. Another process may take a free port between its choice
// and the bind: what listens there is then not what was started.
func WaitOwned(ctx context.Context, pid, port int, family bool, limit time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(limit)
	for {
		owned, err := listensOn(pid, port, family)
		switch {
		case errors.Is(err, errNoProcFS), err == nil && owned:
			return nil
		case err != nil:
			return err
		case time.Now().After(deadline):
			return fmt.Errorf("%w: another process listens on port %d", errPortTaken, port)
		}
		select {
		case <-exited:
			return fmt.Errorf("%w: it exited before it held port %d", ErrExited, port)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// WaitListening waits until something accepts connections on addr, for at
// most limit, or until exited closes (the process that should listen died).
func WaitListening(ctx context.Context, addr string, limit time.Duration, exited <-chan struct{}) error {
	return waitFor(ctx, addr, limit, exited)
}

// waitFor is WaitListening on a TCP address, or on a Unix socket's path
// (one that starts with /).
func waitFor(ctx context.Context, addr string, limit time.Duration, exited <-chan struct{}) error {
	network := "tcp"
	if strings.HasPrefix(addr, "/") {
		network = "unix"
	}
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout(network, addr, 100*time.Millisecond)
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

// capped keeps the first 64 KiB written to it.
type capped struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (c *capped) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := 64<<10 - c.b.Len(); room > 0 {
		c.b.Write(b[:min(len(b), room)])
	}
	return len(b), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}
