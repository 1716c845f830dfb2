package rie

import (
	"errors"
	"testing"
)

// TestExitOf: an emulator that exits cleanly while it should be serving is
// said to have exited with status 0, not "(<nil>)".
func TestExitOf(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{nil, "exit status 0"},
		{errors.New("signal: killed"), "signal: killed"},
	} {
		if got := exitOf(tt.err); got != tt.want {
			t.Errorf("exitOf(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
