package conformance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// fileOutput is a godog formatter that writes a file: godog writes it into a
// private directory, and the run copies it to Dest afterwards, because
// godog ignores a failed write (a full disk, /dev/full) and would let the
// run pass without its report.
type fileOutput struct {
	Name, Dest, private string
}

// formatOutputs takes godog's format list and the report directory's own
// files, and returns the list godog is given, with every file in dir, and
// the files to copy out once the run is over. It refuses a destination
// that cannot be opened for writing, before anything runs.
func formatOutputs(format string, own []fileOutput, dir string) (string, []fileOutput, error) {
	if strings.ContainsAny(dir, ",") {
		return "", nil, fmt.Errorf("the temporary directory %s has a comma in its path, which godog's format list cannot hold: set TMPDIR to another", dir)
	}
	var list []string
	var files []fileOutput
	for _, f := range strings.Split(format, ",") {
		name, dest, ok := strings.Cut(f, ":")
		if !ok {
			list = append(list, f)
			continue
		}
		if err := writable(dest); err != nil {
			return "", nil, err
		}
		files = append(files, fileOutput{Name: name, Dest: dest})
	}
	files = append(files, own...)
	for i := range files {
		files[i].private = filepath.Join(dir, fmt.Sprintf("%d-%s", i, files[i].Name))
		list = append(list, files[i].Name+":"+files[i].private)
	}
	return strings.Join(list, ","), files, nil
}

// writable checks that a report file can be opened for writing, and
// leaves no file behind that was not there.
func writable(path string) error {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("the report %s cannot be written: %w; give a path in a directory that exists and is writable", path, err)
	}
	f.Close()
	if errors.Is(statErr, fs.ErrNotExist) {
		os.Remove(path)
	}
	return nil
}

// copyOutputs copies each formatter's file to where it was asked for.
func copyOutputs(files []fileOutput) error {
	for _, f := range files {
		b, err := os.ReadFile(f.private)
		if err != nil {
			return fmt.Errorf("godog wrote no %s report: %w", f.Name, err)
		}
		if err := writeFile(f.Dest, b); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes a report file, and says which one failed: a report that
// cannot be written fails the run (exit 2).
func writeFile(path string, b []byte) error {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("the report %s could not be written: %w", path, err)
	}
	return nil
}

// removeStale removes a report file an earlier run wrote, if it is a
// regular file: a device such as /dev/null is left alone.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.Mode().IsRegular()) {
		return nil
	}
	if err == nil {
		err = os.Remove(path)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the earlier report %s: %w", path, err)
	}
	return nil
}

// RemoveStale removes, before a run or a command checks anything, the
// files it is about to write, so that none of an earlier run's stays to be
// read as this one's. Devices are left alone.
func RemoveStale(paths ...string) error {
	for _, p := range paths {
		if err := NoLinkIn(filepath.Dir(p)); err != nil {
			return err
		}
		if err := removeStale(p); err != nil {
			return err
		}
	}
	return nil
}

// NoLinkIn refuses a report directory in the working directory (the
// repository, in CI) that is, or lies below, a symbolic link: a link a
// pull request commits, reports/ -> /somewhere, would have the run write
// and delete files outside the checkout, and an upload of the directory
// carry what the link leads to. A directory outside the working directory
// is the caller's own choice, and is left alone.
func NoLinkIn(dir string) error {
	wd, err := os.Getwd()
	if err != nil {
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil
	}
	p := wd
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		if part == "." {
			continue
		}
		p = filepath.Join(p, part)
		st, err := os.Lstat(p)
		if err != nil {
			return nil // not there yet: the run makes it, a directory
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			return fmt.Errorf("the report directory %s passes through the symbolic link %s (to %s): reports are written only to real directories inside the working directory; remove the link, or give another --report-dir", dir, p, target)
		}
	}
	return nil
}
