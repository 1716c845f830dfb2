package steps

import (
	"testing"

	"github.com/autoconfirm/autoconfirm/harness/targets"
)

func TestTallySummary(t *testing.T) {
	tests := []struct {
		ends []struct {
			failed, skipped bool
			checked         int
		}
		want string
	}{
		{nil, "0 scenarios"},
		{[]struct {
			failed, skipped bool
			checked         int
		}{{false, false, 2}, {false, true, 0}, {true, false, 1}, {false, true, 1}},
			"4 scenarios (1 passed, 2 skipped: not fully observable by the pool target, 1 failed)"},
		{[]struct {
			failed, skipped bool
			checked         int
		}{{false, true, 0}}, "1 scenarios (1 skipped: not fully observable by the pool target)"},
	}
	for _, tt := range tests {
		var tl Tally
		for _, e := range tt.ends {
			tl.scenarioEnd(e.failed, e.skipped, e.checked)
		}
		if got := tl.Summary("pool"); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// TestFlagsSet: only accepted answers count, and every flag is named.
func TestFlagsSet(t *testing.T) {
	yes, no := true, false
	var tl Tally
	if got := tl.FlagsSet(); len(got) != 3 || got[FlagConfirm] != 0 {
		t.Errorf("before any answer: %v", got)
	}
	for _, obs := range []*targets.Observation{
		{Confirmed: &yes, EmailVerified: &yes, PhoneVerified: &no},
		{Confirmed: &yes, EmailVerified: nil},
		{Refused: true, Confirmed: &yes, PhoneVerified: &yes},
		{Failure: "timed out", Refused: true, PhoneVerified: &yes},
		{Unreadable: "not JSON", Failure: "unreadable", PhoneVerified: &yes},
	} {
		tl.answered(obs)
	}
	got := tl.FlagsSet()
	if got[FlagConfirm] != 2 || got[FlagVerifyEmail] != 1 || got[FlagVerifyPhone] != 0 {
		t.Errorf("flags set %v, want autoConfirmUser 2, autoVerifyEmail 1, autoVerifyPhone 0", got)
	}
}
