//go:build !linux

package sandbox

import (
	"errors"
	"os"
)

// Seccomp is Linux's; local hosts handlers on Linux only.
func Seccomp() (*os.File, error) { return nil, errors.New("no system call filter outside Linux") }
