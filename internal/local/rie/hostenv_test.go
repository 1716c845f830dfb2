package rie

import (
	"context"
	"testing"

	"github.com/autoconfirm/autoconfirm/internal/local/hostenv/envtest"
)

// TestBinaryGetsNoHostSecret runs Binary with a fake go first on PATH and
// host secrets in the test's environment: go gets none of them.
func TestBinaryGetsNoHostSecret(t *testing.T) {
	tools := envtest.Hostile(t)
	tools.Add(t, "go", "echo /fake/aws-lambda-rie")
	bin, err := Binary(context.Background())
	if err != nil || bin != "/fake/aws-lambda-rie" {
		t.Fatalf("Binary = %q, %v; want the fake go's answer", bin, err)
	}
	if ran := tools.Check(t); len(ran["go"]) != 1 {
		t.Errorf("go ran %d times, want 1", len(ran["go"]))
	}
}
