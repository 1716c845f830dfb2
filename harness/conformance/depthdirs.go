package conformance

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ErrDepths marks a run.json whose depths do not name directories below
// it, each a run of its own: a report that followed them would read the
// same directory again and again.
var ErrDepths = errors.New("its depths do not name report directories below it")

// MaxDepths bounds the depths one run.json may name: local writes two,
// and each is a directory read whole, so many are a hostile record.
const MaxDepths = 16

// depthDirs returns the report directories that rec, read from dir, names
// as its depths. Each must be a directory's name beside run.json (local
// writes "pool", "lambda"), not dir itself, nor one of its ancestors by a
// symlink, nor one that names depths of its own.
func depthDirs(dir string, rec Record) ([]string, error) {
	if len(rec.Depths) > MaxDepths {
		return nil, fmt.Errorf("%s names %d depths, more than %d, this runner's limit (local writes 2): %w", filepath.Join(dir, RunFile), len(rec.Depths), MaxDepths, ErrDepths)
	}
	here, err := realPath(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var out []string
	for _, d := range rec.Depths {
		sub := filepath.Join(dir, d)
		if d == "" || d == "." || d == ".." || strings.ContainsAny(d, `/\`) {
			return nil, fmt.Errorf("%s names the depth %q: %w (a depth is the name of a directory beside it)", filepath.Join(dir, RunFile), d, ErrDepths)
		}
		// both absolute: a relative link (up -> ..) read from a relative dir
		// would otherwise never equal here
		if real, err := realPath(sub); err == nil && (real == here || strings.HasPrefix(here, real+string(filepath.Separator))) {
			return nil, fmt.Errorf("%s names the depth %q, which is %s itself or a directory above it: %w", filepath.Join(dir, RunFile), d, dir, ErrDepths)
		}
		if inner, err := readRecord(sub); err == nil && len(inner.Depths) > 0 {
			return nil, fmt.Errorf("%s names the depth %q, whose own run.json names depths again: %w", filepath.Join(dir, RunFile), d, ErrDepths)
		}
		out = append(out, sub)
	}
	return out, nil
}

// realPath is p absolute, with its symlinks followed.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// CheckReportDir reads dir's run.json and the depths it names, and says
// what is wrong with them, before a report reads them.
func CheckReportDir(dir string) error {
	rec, err := readRecord(dir)
	if err != nil {
		return err
	}
	_, err = depthDirs(dir, rec)
	return err
}
