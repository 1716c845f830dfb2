package bounded

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestText: a text over the limit keeps its head and tail, whole
// characters only, and says how much was left out.
func TestText(t *testing.T) {
	long := "start" + strings.Repeat("é", 600_000) + "end"
	for _, tt := range []struct {
		name, in, want string
		limit          int
	}{
		{"within the limit", "boom", "boom", 16},
		{"at the limit", "0123456789abcdef", "0123456789abcdef", 16},
		{"over it", "0123456789abcdefXYZ", "0123456789ab[… 3 bytes left out …]fXYZ", 16},
	} {
		if got := Text(tt.in, tt.limit); got != tt.want {
			t.Errorf("%s: Text = %q, want %q", tt.name, got, tt.want)
		}
	}
	got := Text(long, HandlerText)
	if len(got) > HandlerText+64 || !strings.HasPrefix(got, "start") || !strings.HasSuffix(got, "end") || !utf8.ValidString(got) {
		t.Errorf("a 1.2 MB text became %d bytes (valid UTF-8 %v): %.40q…%.40q", len(got), utf8.ValidString(got), got, got[len(got)-40:])
	}
	if !strings.Contains(got, "bytes left out") {
		t.Errorf("Text does not say what it left out: %.80q", got)
	}
}
