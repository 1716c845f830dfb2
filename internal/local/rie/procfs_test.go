package rie

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestWaitOwned: a port's listener counts as the started process's only
// when it is; another process's listener on the port is no start (CI: a
// concurrent test's server took the port chosen for cognito-local, and the
// run talked to it).
func TestWaitOwned(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp here: WaitOwned trusts the connection")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if err := WaitOwned(context.Background(), os.Getpid(), port, false, time.Second, nil); err != nil {
		t.Errorf("this process's own listener: %v", err)
	}
	other := exec.Command("sleep", "30")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer other.Process.Kill()
	if err := WaitOwned(context.Background(), other.Process.Pid, port, true, 100*time.Millisecond, nil); !errors.Is(err, errPortTaken) {
		t.Errorf("another process's listener: %v, want errPortTaken", err)
	}
	exited := make(chan struct{})
	close(exited)
	if err := WaitOwned(context.Background(), other.Process.Pid, port, true, time.Second, exited); !errors.Is(err, ErrExited) {
		t.Errorf("a process that exited: %v, want ErrExited", err)
	}
}
