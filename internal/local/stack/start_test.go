package stack

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestFailedStartSaysWhy: a start that fails after it began (here,
// cognito-local exits at once) stops what it started and returns the
// reason, instead of panicking on the stack it no longer returns.
func TestFailedStartSaysWhy(t *testing.T) {
	js := filepath.Join(t.TempDir(), "start.js")
	os.WriteFile(js, []byte("process.exit(3)\n"), 0o644)
	s, err := Start(context.Background(), Options{CognitoLocal: js})
	if err == nil || s != nil {
		t.Fatalf("Start = %v, %v; want an error", s, err)
	}
}
