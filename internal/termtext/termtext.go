// Package termtext shows text that a handler wrote on a terminal, so that
// it can neither pass for the runner's own lines nor move the cursor,
// erase or retitle what the runner said (red team rounds 12 and 13).
package termtext

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Line is s on one line: every control character, newlines included, is
// shown as an escape (\n, \r, \x1b), and so is every bidirectional
// control (\u202e) and every byte that is not UTF-8; a tab stays.
func Line(s string) string {
	return escape(s, true)
}

// Inert is s with its lines kept, and every other control character, every
// bidirectional control and every byte that is not UTF-8 shown as an
// escape, for a report: no text reorders, hides or recolours what it shows.
// A colon that begins a line, after its blanks, is an escape too, so that
// no line is a GitHub workflow command; Line does the same for its start.
func Inert(s string) string {
	return escape(s, false)
}

func escape(s string, oneLine bool) string {
	var b strings.Builder
	mid := false // past a line's leading blanks
	hashes := 0  // '#' just before
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		blank := r == ' ' || r == '\t'
		switch {
		case r == ':' && !mid:
			b.WriteString(`\x3a`) // no line of it starts a workflow command
		case r == '[' && hashes >= 2:
			b.WriteString(`\x5b`) // nor holds one of the older form, ##[name]
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && oneLine:
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r != '\n' && control(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case Bidi(r), r == 0x2028, r == 0x2029: // and the line and paragraph separators
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		mid = (mid || !blank) && !(r == '\n' && !oneLine)
		hashes = count(hashes, r)
		i += n
	}
	return b.String()
}

// Bidi reports whether r is a Unicode bidirectional control: the marks
// U+200E, U+200F and U+061C, the embeddings and overrides U+202A–U+202E, the
// isolates U+2066–U+2069. Shown, they reorder text, so that "refused
// \u202eSSAP" reads as a pass.
func Bidi(r rune) bool {
	return r == 0x200e || r == 0x200f || r == 0x061c || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// Block is s line by line, each behind "| " and shown as Line shows it.
func Block(s string) string {
	var b strings.Builder
	for line := range strings.Lines(strings.TrimRight(s, "\n")) {
		b.WriteString("| ")
		b.WriteString(Line(strings.TrimSuffix(line, "\n")))
		b.WriteByte('\n')
	}
	return b.String()
}

// control is a C0 or C1 control character or DEL, but a tab.
func control(r rune) bool {
	return r != '\t' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0))
}

// Writer passes what it is given on to W, with every control character but
// a newline and a tab, every bidirectional control and line separator, and
// every byte that is not UTF-8 shown as an escape: a command whose output
// carries a handler's text uses it for the terminal, so that no sequence
// the handler wrote reaches it raw, even split across writes. A colon
// that begins a line, after its blanks, is an escape too: GitHub reads a
// line that begins "::" so as a workflow command (red team round 19).
type Writer struct {
	W io.Writer
	// pend is the start of a UTF-8 sequence that the last write ended in;
	// mid is set past a line's leading blanks.
	pend   []byte
	mid    bool
	hashes int
}

// count is how many '#' run up to r, given hashes before it.
func count(hashes int, r rune) int {
	if r == '#' {
		return hashes + 1
	}
	return 0
}

// Write writes p, escaped, and reports len(p) written when W took it all.
func (w *Writer) Write(p []byte) (int, error) {
	buf := append(w.pend, p...)
	w.pend = nil
	out := make([]byte, 0, len(buf)+16)
	for i := 0; i < len(buf); {
		r, n := utf8.DecodeRune(buf[i:])
		switch {
		case r == utf8.RuneError && n == 1 && !utf8.FullRune(buf[i:]):
			w.pend = append([]byte(nil), buf[i:]...)
			n = len(buf) - i
		case r == ':' && !w.mid:
			out = append(out, `\x3a`...)
		case r == '[' && w.hashes >= 2:
			out = append(out, `\x5b`...)
		case r == '\n' || r == '\t':
			out = append(out, byte(r))
		case r == utf8.RuneError && n == 1:
			out = fmt.Appendf(out, `\x%02x`, buf[i])
		case control(r):
			out = fmt.Appendf(out, `\x%02x`, r)
		case Bidi(r), r == 0x2028, r == 0x2029:
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, buf[i:i+n]...)
		}
		w.mid = (w.mid || (r != ' ' && r != '\t')) && r != '\n'
		w.hashes = count(w.hashes, r)
		i += n
	}
	if _, err := w.W.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
