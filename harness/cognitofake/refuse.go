package cognitofake

import (
	"fmt"
	"syscall"
)

// RefusingEndpoint returns the URL of a loopback port that is bound but not
// listening, so every connection to it is refused, and a func that releases
// the port. Holding the port bound keeps any other server from taking it,
// which closing a listener would not.
func RefusingEndpoint() (string, func(), error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return "", nil, fmt.Errorf("socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return "", nil, fmt.Errorf("bind: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return "", nil, fmt.Errorf("getsockname: %w", err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	return fmt.Sprintf("http://127.0.0.1:%d", port), func() { syscall.Close(fd) }, nil
}
