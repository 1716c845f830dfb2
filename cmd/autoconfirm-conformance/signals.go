package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// interruptible returns a context that ends on SIGINT, on SIGTERM, on SIGHUP
// (its terminal closed: exit 130 too, not 129; red team round 14), and when
// standard output breaks (local … | head), so that the run stops and cleans
// up rather than dying at its next write. SIGPIPE also arrives for a write
// to any broken socket once a program asks for it, and an HTTP client meets
// those in the ordinary way; so a SIGPIPE ends the run only when poll says
// that stdout's reader is gone.
func interruptible() (context.Context, func()) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	ctx, cancel := context.WithCancel(ctx)
	pipes := make(chan os.Signal, 1)
	signal.Notify(pipes, syscall.SIGPIPE)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-pipes:
				if readerGone(os.Stdout) {
					cancel()
					return
				}
			}
		}
	}()
	return ctx, func() { signal.Stop(pipes); cancel(); stop() }
}

// readerGone reports whether f is a pipe whose reader has gone: poll sets
// POLLERR on the write end of such a pipe.
func readerGone(f *os.File) bool {
	fds := []unix.PollFd{{Fd: int32(f.Fd())}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0
}
