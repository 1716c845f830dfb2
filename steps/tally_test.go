package steps

import "testing"

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
