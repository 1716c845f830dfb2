package termtext

import (
	"strings"
	"testing"
)

// TestLineAndBlock: a handler's text cannot start a line of its own, nor
// move the terminal's cursor; printable text, tabs included, is kept.
func TestLineAndBlock(t *testing.T) {
	for _, tt := range []struct{ in, line, block string }{
		{"plain\nlines\n", `plain\nlines\n`, "| plain\n| lines\n"},
		{"boom\r\nlocal: PASS in 0.1s", `boom\r\nlocal: PASS in 0.1s`, "| boom\\r\n| local: PASS in 0.1s\n"},
		{"\x1b[2J\x1b[Herased\ttab", `\x1b[2J\x1b[Herased` + "\ttab", "| \\x1b[2J\\x1b[Herased\ttab\n"},
		{"c1 \u009b control, é kept, \x7f", `c1 \x9b control, é kept, \x7f`, "| c1 \\x9b control, é kept, \\x7f\n"},
		{"refused \u202eSSAP", `refused \u202eSSAP`, "| refused \\u202eSSAP\n"},
		{"bad \xff byte", `bad \xff byte`, "| bad \\xff byte\n"},
		{"", "", ""},
	} {
		if got := Line(tt.in); got != tt.line {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.line)
		}
		if got := Block(tt.in); got != tt.block {
			t.Errorf("Block(%q) = %q, want %q", tt.in, got, tt.block)
		}
	}
}

// TestWriter: escape sequences are shown, split across writes or not;
// newlines, tabs and other UTF-8 text pass as they are.
func TestWriter(t *testing.T) {
	for _, tt := range []struct {
		name   string
		writes []string
		want   string
	}{
		{"plain text", []string{"local: PASS in 1.0s\n", "\tfix: é\n"}, "local: PASS in 1.0s\n\tfix: é\n"},
		{"an erase and a carriage return", []string{"boom\x1b[2J\rlocal: PASS\n"}, `boom\x1b[2J\x0dlocal: PASS` + "\n"},
		{"a C1 control split across writes", []string{"a\xc2", "\x9bb\xc2", "\xa0c"}, `a\x9bb` + "\u00a0c"},
		{"DEL and NUL", []string{"\x7f\x00"}, `\x7f\x00`},
		{"a bidirectional override split across writes, and a line separator", []string{"refused \xe2", "\x80\xaeSSAP\u2028x"}, `refused \u202eSSAP\u2028x`},
		{"a stray byte", []string{"a\xfeb\x9b"}, `a\xfeb\x9b`},
		{"a workflow command of the older form, split across writes", []string{"x ##", "[error]pwned # [a]"}, `x ##\x5berror]pwned # [a]`},
		{"a workflow command, indented and split across writes", []string{"boom\n  ", ":", ":error::pwned\nok: a::b\n"}, "boom\n  \\x3a:error::pwned\nok: a::b\n"},
	} {
		var b strings.Builder
		w := &Writer{W: &b}
		for _, s := range tt.writes {
			if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
				t.Errorf("%s: Write = %d, %v", tt.name, n, err)
			}
		}
		if b.String() != tt.want {
			t.Errorf("%s: wrote %q, want %q", tt.name, b.String(), tt.want)
		}
	}
}

// TestInert: a report keeps the text's lines, and shows every other control,
// bidirectional control and stray byte as an escape.
func TestInert(t *testing.T) {
	in := "line one\n\x1b[8mhidden\r\trefused \u202eSSAP \xfe"
	want := "line one\n\\x1b[8mhidden\\r\trefused \\u202eSSAP \\xfe"
	if got := Inert(in); got != want {
		t.Errorf("Inert(%q) = %q, want %q", in, got, want)
	}
}

// TestNoWorkflowCommand: no line of a handler's text, shown inert or on one
// line, begins with a colon, blanks aside: GitHub would read "::error::…"
// there as a workflow command (red team round 19).
func TestNoWorkflowCommand(t *testing.T) {
	if got, want := Inert("refused\n  ::add-mask::x\n::error::y a::b"), "refused\n  \\x3a:add-mask::x\n\\x3a:error::y a::b"; got != want {
		t.Errorf("Inert: %q, want %q", got, want)
	}
	if got, want := Inert("a ##[error]b"), `a ##\x5berror]b`; got != want {
		t.Errorf("Inert, the older form: %q, want %q", got, want)
	}
	if got, want := Line("::stop-commands::t\n::x"), "\\x3a:stop-commands::t\\n::x"; got != want {
		t.Errorf("Line: %q, want %q", got, want)
	}
}
