//go:build !linux

package sandbox

import (
	"errors"
	"fmt"
	"os"
)

func probeLandlock() (int, error) { return 0, errors.New("Landlock is Linux's") }

// Confine is Linux's; local hosts handlers on Linux only.
func Confine([]string) int {
	fmt.Fprintln(os.Stderr, "sandbox confine: Linux only")
	return 2
}
