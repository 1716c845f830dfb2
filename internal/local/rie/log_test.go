package rie

import (
	"bytes"
	"strings"
	"testing"
)

// TestLogIsBounded: a Log keeps the latest output and counts the rest,
// however much is written, and keeps the line that classifies an exit even
// when the output after it pushed it out of the tail.
func TestLogIsBounded(t *testing.T) {
	exited := "time=x level=error msg=\"Init failed\" error=Runtime exited with error: exit status 7 InvokeID=1\n"
	noise := strings.Repeat("x", 1000) + "\n"
	cases := []struct {
		name   string
		writes []string
		// reason is what exitReason must find; drops whether bytes are
		// dropped; kept what the log ends with.
		reason string
		drops  bool
		kept   string
	}{
		{"small output kept whole", []string{"a\n", exited, "b\n"}, "Runtime exited with error: exit status 7", false, "a\n" + exited + "b\n"},
		{"the exit line before 100x the limit", append([]string{exited}, repeat(noise, 100*64)...),
			"Runtime exited with error: exit status 7", true, noise},
		{"the exit line split across writes, then pushed out", append([]string{exited[:20], exited[20:50], exited[50:]}, repeat(noise, 200)...),
			"Runtime exited with error: exit status 7", true, noise},
		{"no exit line", repeat(noise, 200), "Runtime exited without providing a reason", true, noise},
		{"one write larger than the limit", []string{exited + strings.Repeat("y", 200<<10)}, "Runtime exited with error: exit status 7",
			true, "yyyy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := &Log{limit: 64 << 10}
			total := 0
			for _, w := range c.writes {
				total += len(w)
				if n, err := l.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			b := l.Bytes()
			if len(b) > 64<<10+keptLines*keptLineLen+200 {
				t.Errorf("Bytes holds %d bytes, more than the limit", len(b))
			}
			if got := l.Dropped(); (got > 0) != c.drops || got < int64(total-2*64<<10) {
				t.Errorf("Dropped() = %d of %d written", got, total)
			}
			if c.drops && !bytes.Contains(b, []byte("bytes dropped")) {
				t.Errorf("the dropped bytes are not counted in the log:\n%.200s", b)
			}
			if !bytes.HasSuffix(b, []byte(c.kept)) {
				t.Errorf("the log does not end with the latest output: …%q", b[max(0, len(b)-100):])
			}
			if got := exitReason(l); got != c.reason {
				t.Errorf("exitReason = %q, want %q", got, c.reason)
			}
			l.Reset()
			if len(l.Bytes()) != 0 || exitReason(l) != "Runtime exited without providing a reason" {
				t.Errorf("Reset left %q", l.Bytes())
			}
		})
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
