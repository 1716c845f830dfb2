package sandbox

import (
	"context"
	"testing"

	"github.com/autoconfirm/autoconfirm/internal/local/hostenv/envtest"
)

// TestProbeGivesBwrapNoHostSecret probes with a fake bwrap first on PATH
// and host secrets in the test's environment: neither `bwrap --version`
// nor the namespace check nor the filter check gets any of them.
func TestProbeGivesBwrapNoHostSecret(t *testing.T) {
	tools := envtest.Hostile(t)
	tools.Add(t, "bwrap", `[ "$1" = --version ] && echo "bubblewrap 0.0.0-fake"; exit 0`)
	sb, err := Probe(context.Background(), nil)
	if err != nil || sb.Version != "bubblewrap 0.0.0-fake" {
		t.Fatalf("Probe = %+v, %v; want the fake bwrap", sb, err)
	}
	if ran := tools.Check(t); len(ran["bwrap"]) != 3 {
		t.Errorf("bwrap ran %d times, want 3 (its version, the namespace check, the filter check)", len(ran["bwrap"]))
	}
}
