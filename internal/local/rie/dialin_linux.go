//go:build linux

package rie

import (
	"context"
	"fmt"
	"net"
	"strings"

	"golang.org/x/sys/unix"
)

// dialIn connects to sock, a socket in the sandbox, resolved inside the
// sandbox's root and through no link. The function can write where the
// sockets are: a link it puts there would otherwise lead this process, which
// resolves it against the host's root, to any socket on the host.
func (b *bridge) dialIn(ctx context.Context, sock string) (net.Conn, error) {
	b.mu.Lock()
	root := b.root
	b.mu.Unlock()
	rootFd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("the sandbox's root %s: %w", root, err)
	}
	defer unix.Close(rootFd)
	fd, err := unix.Openat2(rootFd, strings.TrimPrefix(sock, "/"), &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return nil, fmt.Errorf("the sandbox's socket %s (a link there is refused): %w", sock, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return nil, fmt.Errorf("%s in the sandbox is no longer a socket: the function replaced it", sock)
	}
	var d net.Dialer
	return d.DialContext(ctx, "unix", fmt.Sprintf("/proc/self/fd/%d", fd))
}
