package bounded

import (
	"fmt"
	"unicode/utf8"
)

// HandlerText is how much of one text that a handler chose, such as its
// error message, the runner quotes in what it prints and records: 1 KiB.
// Lambda lets an error message fill a 6 MB answer, and a run quotes it once
// for each failed scenario at each depth, in four report formats (rules
// §17).
const HandlerText = 1 << 10

// Text is s when it holds at most limit bytes; else its first three
// quarters of limit and its last quarter, cut at whole characters, with
// how many bytes were left out between them.
func Text(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	head, tail := limit*3/4, limit/4
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	start := len(s) - tail
	for start < len(s) && !utf8.RuneStart(s[start]) {
		start++
	}
	return fmt.Sprintf("%s[… %d bytes left out …]%s", s[:head], start-head, s[start:])
}
