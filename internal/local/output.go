package local

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

// targetOutput keeps, of what a target's run prints, what a reader of a
// local run needs: its count of scenarios, on one line, the not-claimed
// line once for both targets, and any line it does not know. It drops what
// the reports keep (the progress, the skipped scenarios, the report paths)
// and what local says itself (the function, the profiles, the pool's
// shape). --verbose passes everything.
type targetOutput struct {
	w      io.Writer
	target string
	// once holds the lines both targets print alike, said once after both.
	once *onceLines

	mu  sync.Mutex
	buf []byte
	// list is true inside a list whose lines the reports hold.
	list bool
}

func newTargetOutput(w io.Writer, target string, once *onceLines) *targetOutput {
	return &targetOutput{w: w, target: target, once: once}
}

// onceLines are lines that every target prints alike, kept to be said once;
// the depths, which run at once, add to them together.
type onceLines struct {
	mu    sync.Mutex
	seen  map[string]bool
	lines []string
}

func (l *onceLines) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	if !l.seen[line] {
		l.seen[line] = true
		l.lines = append(l.lines, line)
	}
}

// flush writes the lines, once each.
func (l *onceLines) flush(w io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		fmt.Fprintln(w, line)
	}
	l.lines = nil
}

// dropped are the lines of a target's run that a local run does not show.
var dropped = []*regexp.Regexp{
	regexp.MustCompile(`^autoconfirm-conformance: the function`), // the hosted function, checked
	regexp.MustCompile(`^autoconfirm conformance: target `),
	regexp.MustCompile(`^run [a-z0-9]+: test users are named `),
	regexp.MustCompile(`^[.\-FUPA]+( +\d+)?$`), // godog's progress
	regexp.MustCompile(`^\d+ steps? \(`),
	regexp.MustCompile(`^(\d+h)?(\d+m)?[\d.]+(ns|µs|ms|s)$`), // godog's duration
	regexp.MustCompile(`^reports: `),
}

// lists head the lists that the reports hold, item by item.
var lists = regexp.MustCompile(`^(SKIPPED|NOT APPLICABLE TO THIS POOL)\b`)

var scenarioCount = regexp.MustCompile(`^\d+ scenarios? \(`)

func (o *targetOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf = append(o.buf, p...)
	for {
		i := bytes.IndexByte(o.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(o.buf[:i])
		o.buf = o.buf[i+1:]
		if err := o.line(line); err != nil {
			return len(p), err
		}
	}
}

// line writes one line of the target's output, or drops it.
func (o *targetOutput) line(line string) error {
	plain := strings.TrimRight(line, " \r")
	switch {
	case plain == "":
		o.list = false
		return nil
	case lists.MatchString(plain):
		o.list = true
		return nil
	case o.list && strings.HasPrefix(plain, "  - "):
		return nil
	case scenarioCount.MatchString(plain):
		_, err := fmt.Fprintf(o.w, "local: %s target: %s\n", o.target, plain)
		return err
	case strings.HasPrefix(plain, "NOT CLAIMED: "):
		o.once.add(plain)
		return nil
	}
	o.list = false
	for _, d := range dropped {
		if d.MatchString(plain) {
			return nil
		}
	}
	_, err := fmt.Fprintln(o.w, line)
	return err
}

// Close writes what is left after the last newline.
func (o *targetOutput) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.buf) == 0 {
		return nil
	}
	line := string(o.buf)
	o.buf = nil
	return o.line(line)
}
