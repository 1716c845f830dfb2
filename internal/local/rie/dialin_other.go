//go:build !linux

package rie

import (
	"context"
	"errors"
	"net"
)

// dialIn is Linux's: a sandbox, and so its sockets, exist only there.
func (b *bridge) dialIn(context.Context, string) (net.Conn, error) {
	return nil, errors.New("the sandbox's sockets exist only on Linux")
}
