package rie

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestDialInFollowsNoLink: the host reaches the sandbox's sockets through
// its root; a link the function puts in their place must not lead the dial
// to a socket of the host's, and a socket that is there is reached.
func TestDialInFollowsNoLink(t *testing.T) {
	short, err := os.MkdirTemp("", "dialin")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(short)
	root := filepath.Join(short, "root")
	os.MkdirAll(filepath.Join(root, "var/rapid/sock"), 0o755)
	listen := func(path string) (net.Listener, chan struct{}) {
		ln, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan struct{}, 1)
		go func() {
			if c, err := ln.Accept(); err == nil {
				got <- struct{}{}
				c.Close()
			}
		}()
		return ln, got
	}
	hostLn, hostGot := listen(filepath.Join(short, "host.sock"))
	defer hostLn.Close()
	inLn, inGot := listen(filepath.Join(root, "var/rapid/sock/in-0"))
	defer inLn.Close()
	os.Symlink(filepath.Join(short, "host.sock"), filepath.Join(root, "var/rapid/sock/in-1"))
	os.Symlink("/host.sock", filepath.Join(root, "var/rapid/sock/in-2"))
	os.WriteFile(filepath.Join(root, "var/rapid/sock/in-3"), nil, 0o644)
	b := &bridge{root: root}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := b.dialIn(ctx, "/var/rapid/sock/in-0")
	if err != nil {
		t.Fatalf("the sandbox's own socket: %v", err)
	}
	c.Close()
	<-inGot
	for _, sock := range []string{"/var/rapid/sock/in-1", "/var/rapid/sock/in-2", "/var/rapid/sock/in-3", "/../host.sock"} {
		if c, err := b.dialIn(ctx, sock); err == nil {
			c.Close()
			t.Errorf("%s: dialled, want refused", sock)
		}
	}
	select {
	case <-hostGot:
		t.Error("a link in the sandbox led the dial to the host's socket")
	case <-time.After(200 * time.Millisecond):
	}
}
