package diff

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// TestShrinkingProgressIsCompact: shrinking several differences says so in
// one progress line, not one line per difference.
func TestShrinkingProgressIsCompact(t *testing.T) {
	var progress bytes.Buffer
	res, err := Run(context.Background(), Options{A: Side{Name: "reference", Target: targets.NewInProcess()},
		B: Side{Name: "loose", Target: mutant{targets.NewInProcess(), both}}, Cases: cases(t, 300), Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Differences) < 2 {
		t.Fatalf("%d difference(s); the test needs several", len(res.Differences))
	}
	if n := strings.Count(progress.String(), "shrinking"); n != 1 {
		t.Errorf("%d progress lines about shrinking %d differences, want 1:\n%s", n, len(res.Differences), progress.String())
	}
}

// both removes the guard and loosens the phone checks.
func both(in *targets.Input, obs *targets.Observation) {
	noGuard(in, obs)
	loosePhone(in, obs)
}
