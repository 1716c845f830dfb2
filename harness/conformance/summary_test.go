package conformance

import (
	"strings"
	"testing"
)

// TestSummaryWriterJoinsPieces: lines written in pieces of any size pass
// through whole, the summary replaced and the failed steps dropped, and
// what follows the last newline is kept until flush.
func TestSummaryWriterJoinsPieces(t *testing.T) {
	in := "Feature: x\n" + strings.Repeat("E", 100_000) + "\n--- Failed steps:\n  step a\n\n2 scenarios (2 passed)\ntail"
	want := "Feature: x\n" + strings.Repeat("E", 100_000) + "\nSUMMARY\ntail"
	for _, size := range []int{1, 7, 4096, len(in)} {
		var out strings.Builder
		s := &summaryWriter{w: &out, summary: func() string { return "SUMMARY" }}
		for rest := in; rest != ""; {
			n := min(size, len(rest))
			s.Write([]byte(rest[:n]))
			rest = rest[n:]
		}
		s.flush()
		if out.String() != want {
			t.Errorf("in pieces of %d bytes: %d bytes out, want %d: %.60q…", size, out.Len(), len(want), out.String())
		}
	}
}
