// Package bounded reads the files a user names (a template, fixtures,
// feature files, a run's records) with a limit on their size, checked on
// what stat says before anything is read and again while it is read, so
// that a file that is larger than it says, or grows, is refused too.
// The limits and their sources are in docs/cognito-rules.md §17.
package bounded

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

const (
	// Template is CloudFormation's limit on a template body read from
	// S3, 1 MB (1 048 576 bytes); a body passed directly may hold 51 200.
	Template int64 = 1 << 20
	// Fixture is Lambda's 6 MB limit on a synchronous invocation's
	// payload, read as 6 MiB: an event is sent to the handler whole.
	Fixture int64 = 6 << 20
	// Feature is this runner's limit on a feature file, 1 MiB: Gherkin
	// states none, and a thousand scenarios fit in far less.
	Feature int64 = 1 << 20
	// Record is this runner's limit on a run.json, 16 MiB: local's hold
	// a few kilobytes.
	Record int64 = 16 << 20
	// Cucumber is this runner's limit on a run's cucumber JSON, 64 MiB:
	// the built-in features write under 1 MiB.
	Cucumber int64 = 64 << 20
)

// ErrTooLarge marks a file over its limit.
var ErrTooLarge = errors.New("over its size limit")

// ReadFile reads the file at path, refusing one over limit bytes; rule
// names the limit for the error.
func ReadFile(path string, limit int64, rule string) ([]byte, error) {
	return ReadFS(osFS{}, path, limit, rule)
}

// ReadFS is ReadFile for a file of fsys. A device is read up to limit; a
// FIFO or a socket is refused before it is opened where fsys is this
// package's (ReadFile, Dir).
func ReadFS(fsys fs.FS, name string, limit int64, rule string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > limit {
		return nil, tooLarge(name, limit, rule)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(name, limit, rule)
	}
	return b, nil
}

// openable refuses, naming it as shown, what opening may wait on for
// ever: a FIFO, a socket.
func openable(fsys fs.StatFS, name, shown string) error {
	if st, err := fsys.Stat(name); err == nil && st.Mode()&(fs.ModeNamedPipe|fs.ModeSocket) != 0 {
		return fmt.Errorf("%s is not a regular file (%s); give a file", shown, st.Mode().Type())
	}
	return nil
}

// Check refuses the file fsys holds at name when stat says it is over
// limit, or is not a regular file, without reading it.
func Check(fsys fs.FS, name string, limit int64, rule string) error {
	st, err := fs.Stat(fsys, name)
	switch {
	case err != nil:
		return err
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (%s); give a file", name, st.Mode().Type())
	case st.Size() > limit:
		return tooLarge(name, limit, rule)
	}
	return nil
}

func tooLarge(name string, limit int64, rule string) error {
	return fmt.Errorf("%s is %w: more than %d bytes, %s", name, ErrTooLarge, limit, rule)
}

// LimitFile is f, a file that fails a read past limit bytes; a directory
// is returned as it is.
func LimitFile(f fs.File, limit int64, rule string) fs.File {
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return f
	}
	return &limitedFile{File: f, name: st.Name(), left: limit, limit: limit, rule: rule}
}

type limitedFile struct {
	fs.File
	name        string
	left, limit int64
	rule        string
}

func (l *limitedFile) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var probe [1]byte
		n, err := l.File.Read(probe[:])
		switch {
		case n > 0:
			return 0, tooLarge(l.name, l.limit, l.rule)
		case err != nil && err != io.EOF:
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.File.Read(p)
	l.left -= int64(n)
	return n, err
}

// osFS opens paths as they are given, relative or absolute, as os.Open
// does (os.DirFS would need a root).
type osFS struct{}

// Open refuses a FIFO or a socket before it is opened: opening a FIFO
// waits for a writer, for ever, and no signal ends the wait (red team
// round 22).
func (osFS) Open(name string) (fs.File, error) {
	if err := openable(osFS{}, name, name); err != nil {
		return nil, err
	}
	return os.Open(name)
}

// Stat does not open the file, as fs.Stat would without it.
func (osFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }
