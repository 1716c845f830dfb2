// Package termtext shows text that a handler wrote on a terminal, so that
// it can neither pass for the runner's own lines nor move the cursor,
// erase or retitle what the runner said (red team rounds 12 and 13).
package termtext

import (
	"fmt"
	"io"
	"strings"
)

// Line is s on one line: every control character, newlines included, is
// shown as an escape (\n, \r, \x1b); a tab stays.
func Line(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case control(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
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
// a newline and a tab shown as an escape: a command whose output carries a
// handler's text uses it for the terminal, so that no sequence the
// handler wrote reaches it raw.
type Writer struct {
	W io.Writer
	// lead is a UTF-8 lead byte of a C1 character left at the end of the
	// last write.
	lead bool
}

// Write writes p, escaped, and reports len(p) written when W took it all.
func (w *Writer) Write(p []byte) (int, error) {
	out := make([]byte, 0, len(p)+16)
	for _, c := range p {
		if w.lead {
			w.lead = false
			if c >= 0x80 && c < 0xa0 { // U+0080 to U+009F
				out = fmt.Appendf(out, `\x%02x`, c)
				continue
			}
			out = append(out, 0xc2)
		}
		switch {
		case c == 0xc2:
			w.lead = true
		case c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f):
			out = append(out, c)
		default:
			out = fmt.Appendf(out, `\x%02x`, c)
		}
	}
	if _, err := w.W.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
