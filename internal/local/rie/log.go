package rie

import (
	"bytes"
	"fmt"
	"sync"
)

// LogLimit is how much of the latest output a Log keeps. A handler may print
// without end (100 MB an invocation is no harder than 100 bytes); what the
// run shows of it is the tail, so the tail is what is kept.
const LogLimit = 1 << 20

// keptLines bounds the lines kept apart from the tail, and keptLineLen each
// one's length: a classification line is short, and only the last is read.
const (
	keptLines   = 32
	keptLineLen = 4 << 10
)

// classifying are what marks a line that the run reads to classify an exit
// (exitReason): it is kept when the tail has moved past it.
var classifying = [][]byte{[]byte("Runtime exited")}

// Log collects what the emulator and its function print, bounded: the last
// LogLimit bytes, a count of those dropped before them, and the lines that
// classify an exit, whatever was dropped. It is safe to read while they
// write. The zero Log is ready to use.
type Log struct {
	mu sync.Mutex
	// limit is LogLimit unless a test sets it.
	limit int
	// tail holds at most 2*limit bytes; it is cut to limit when full, so
	// that a write costs its own length, not the buffer's.
	tail []byte
	// total counts every byte written; dropped is total-len(tail).
	total int64
	// line gathers the current line, up to keptLineLen, to match it;
	// lineStart is where it starts.
	line      []byte
	lineStart int64
	// kept are the classifying lines, oldest first, with where each starts.
	kept []keptLine
}

type keptLine struct {
	text  []byte
	start int64
}

func (l *Log) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	limit := l.limit
	if limit <= 0 {
		limit = LogLimit
	}
	l.scan(b)
	l.total += int64(len(b))
	if len(b) >= limit {
		l.tail = append(l.tail[:0], b[len(b)-limit:]...)
		return len(b), nil
	}
	if len(l.tail)+len(b) > 2*limit {
		l.tail = append(l.tail[:0], l.tail[len(l.tail)+len(b)-limit:]...)
	}
	l.tail = append(l.tail, b...)
	return len(b), nil
}

// scan finds the classifying lines in b, which may end or start mid-line.
func (l *Log) scan(b []byte) {
	at := l.total
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		part := b
		if i >= 0 {
			part = b[:i+1]
		}
		if room := keptLineLen - len(l.line); room > 0 {
			l.line = append(l.line, part[:min(len(part), room)]...)
		}
		b, at = b[len(part):], at+int64(len(part))
		if i < 0 {
			return
		}
		l.keep()
		l.line, l.lineStart = l.line[:0], at
	}
}

// keep keeps the line just ended when it classifies an exit, ending in a
// newline even when it was cut.
func (l *Log) keep() {
	for _, c := range classifying {
		if bytes.Contains(l.line, c) {
			if len(l.kept) == keptLines {
				l.kept = l.kept[1:]
			}
			text := bytes.Clone(l.line)
			if text[len(text)-1] != '\n' {
				text = append(text, '\n')
			}
			l.kept = append(l.kept, keptLine{text: text, start: l.lineStart})
			return
		}
	}
}

// Bytes returns what is kept: when output was dropped, a line that counts
// it and the classifying lines among it, then the latest output.
func (l *Log) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	dropped := l.total - int64(len(l.tail))
	if dropped == 0 {
		return bytes.Clone(l.tail)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "… %d bytes dropped (the log keeps the last %d)\n", dropped, len(l.tail))
	for _, k := range l.kept {
		if k.start < dropped { // no longer whole in the tail
			out.Write(k.text)
		}
	}
	out.Write(l.tail)
	return out.Bytes()
}

// Dropped counts the bytes written and no longer kept.
func (l *Log) Dropped() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total - int64(len(l.tail))
}

// Reset empties the log, as for a process started afresh.
func (l *Log) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tail, l.total, l.line, l.lineStart, l.kept = l.tail[:0], 0, l.line[:0], 0, nil
}
