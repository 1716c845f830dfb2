package rie

import (
	"context"
	"fmt"
	"net"
	"os"
	"path"
	"path/filepath"
	"sync"

	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// bridge is the host's end of an environment's own network namespace: a
// directory of Unix sockets, bound read-only at sandbox.NetDir, through
// which the sandbox's forwarder reaches the endpoints the function was
// given; and the sockets in the sandbox's own sandbox.SockDir through which
// the host reaches the emulator. Nothing else of the host's loopback is
// reachable from the sandbox, and nothing the sandbox writes lands on the
// host.
type bridge struct {
	dir    string
	routes []sandbox.Route

	mu  sync.Mutex
	lns []net.Listener
	// root is where the host sees the sandbox's root: /proc/<pid>/root of
	// a process in its mount namespace, once it runs.
	root string
}

// maxSocketPath is below the 108 bytes of sockaddr_un's path.
const maxSocketPath = 100

// newBridge makes dir and serves in it, for each host address in reach
// (host:port on 127.0.0.1), a socket that the forwarder listens for on the
// same address in the sandbox.
func newBridge(dir string, reach []string) (*bridge, error) {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("the sandbox's network directory: %w", err)
	}
	if len(filepath.Join(dir, "out-0")) > maxSocketPath {
		return nil, fmt.Errorf("the sandbox's sockets would be under %s, a path longer than a Unix socket's %d bytes; set TMPDIR to a shorter directory", dir, maxSocketPath)
	}
	b := &bridge{dir: dir}
	for _, addr := range reach {
		if err := b.outbound(addr); err != nil {
			b.close()
			return nil, err
		}
	}
	return b, nil
}

// outbound serves a socket that the forwarder listens for on the host's
// addr, the same address in the sandbox, and relays to addr.
func (b *bridge) outbound(addr string) error {
	name := fmt.Sprintf("out-%d", len(b.routes))
	ln, err := net.Listen("unix", filepath.Join(b.dir, name))
	if err != nil {
		return fmt.Errorf("the sandbox's way to %s: %w", addr, err)
	}
	b.mu.Lock()
	b.lns = append(b.lns, ln)
	b.mu.Unlock()
	go sandbox.Serve(ln, "tcp", addr)
	b.routes = append(b.routes, sandbox.Route{TCP: addr, Unix: path.Join(sandbox.NetDir, name), Out: true})
	return nil
}

// inbound routes the sandbox's addr (127.0.0.1:port) to a socket the
// forwarder listens on in sandbox.SockDir once the port is served; it
// returns the socket's path in the sandbox.
func (b *bridge) inbound(addr string) string {
	sock := path.Join(sandbox.SockDir, fmt.Sprintf("in-%d", len(b.routes)))
	b.routes = append(b.routes, sandbox.Route{TCP: addr, Unix: sock})
	return sock
}

// enter records pid, bwrap's child, which is in the sandbox's mount
// namespace: through its root the host reaches the sockets inbound made.
func (b *bridge) enter(pid int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.root = fmt.Sprintf("/proc/%d/root", pid)
}

// host is the host's path to sock, a path in the sandbox.
func (b *bridge) host(sock string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.root + sock
}

// dialer dials the sandbox's socket sock, whatever address is asked.
func (b *bridge) dialer(sock string) func(ctx context.Context, _, _ string) (net.Conn, error) {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		return b.dialIn(ctx, sock)
	}
}

func (b *bridge) close() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ln := range b.lns {
		ln.Close()
	}
	b.lns = nil
}
