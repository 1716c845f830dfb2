package conformance

import (
	"bytes"
	"io"
	"regexp"
	"sync"
)

// scenarioSummary is godog's summary line, with or without colours;
// stepLocation is the comment after a step in the pretty format.
var (
	scenarioSummary = regexp.MustCompile(`^\d+ scenarios? \(`)
	stepLocation    = regexp.MustCompile(`[ \t]*(\x1b\[[0-9;]*m)?# \S+\.go:\d+ -> [^\n]*`)
	ansi            = regexp.MustCompile("\x1b\\[[0-9;]*m")
)

// summaryWriter passes godog's output through, line by line, but replaces
// its scenario summary, which counts a scenario whose steps were skipped as
// passed, with one that does not, drops its list of failed steps, which the
// runner's list of failed scenarios (PrintFailures) replaces with more, and
// drops step-definition locations unless they were asked for.
type summaryWriter struct {
	w         io.Writer
	summary   func() string
	locations bool

	mu  sync.Mutex
	buf []byte
	// scanned is how much of buf holds no newline: godog writes a line in
	// many small pieces, and rescanning the whole line at each one took
	// minutes on a 1 MB line (red team round 21).
	scanned int
	// inFailedSteps is true from godog's "--- Failed steps:" to its summary.
	inFailedSteps bool
}

func (s *summaryWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(s.buf, p...)
	for {
		i := bytes.IndexByte(s.buf[s.scanned:], '\n')
		if i < 0 {
			s.scanned = len(s.buf)
			return len(p), nil
		}
		i += s.scanned
		s.scanned = 0
		line := s.buf[:i+1]
		plain := ansi.ReplaceAll(line, nil)
		if bytes.Equal(bytes.TrimSpace(plain), []byte("--- Failed steps:")) {
			s.inFailedSteps = true
		}
		if scenarioSummary.Match(plain) {
			s.inFailedSteps = false
			line = []byte(s.summary() + "\n")
		} else if s.inFailedSteps {
			s.buf = s.buf[i+1:]
			continue
		} else if !s.locations {
			if loc := stepLocation.FindIndex(line); loc != nil {
				line = append(append([]byte(nil), line[:loc[0]]...), '\n')
			}
		}
		if _, err := s.w.Write(line); err != nil {
			return len(p), err
		}
		s.buf = s.buf[i+1:]
	}
}

// flush writes what is left after the last newline.
func (s *summaryWriter) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.buf) > 0 {
		s.w.Write(s.buf)
		s.buf, s.scanned = nil, 0
	}
}
