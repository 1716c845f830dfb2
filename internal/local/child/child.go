// Package child runs a command that must be allowed to clean up: on
// cancellation it gets SIGINT, as from a terminal, and time to finish.
package child

import (
	"context"
	"errors"
	"os/exec"
	"syscall"
	"time"
)

// grace is how long a child may take to clean up after SIGINT.
const grace = 60 * time.Second

// Run starts cmd in its own process group, to die with the thread that
// starts it (SysProcAttr), and returns its exit status. When ctx ends it
// sends the group SIGINT, waits up to a minute, then kills it.
func Run(ctx context.Context, cmd *exec.Cmd) (int, error) {
	cmd.SysProcAttr = SysProcAttr(cmd.SysProcAttr)
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case err = <-done:
		case <-time.After(grace):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			err = <-done
		}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	return 0, err
}
