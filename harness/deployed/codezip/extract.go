package codezip

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Extract unpacks a deployment zip into dir as Lambda unpacks one, modes
// and symlinks included; a file already there is replaced, as a later
// layer replaces an earlier one's. It checks the whole zip first, and
// writes nothing when the zip is over MaxUnzipped or MaxEntries, or names
// a file outside dir; a symlink that leads outside dir, or back to a
// directory that holds it, is refused too.
func Extract(path, dir string) error {
	return ExtractWithin(path, dir, "", &Budget{})
}

// ExtractWithin is Extract counting against b, which the code and the
// layers before this zip share. at is where Lambda puts dir's content
// (/var/task, /opt): an absolute symlink into it, which resolves inside the
// package there, is kept as the relative link it amounts to, so that it
// resolves the same with or without a sandbox.
func ExtractWithin(path, dir, at string, b *Budget) error {
	f, _, err := open(path) // a fifo or /proc file is refused before it is read
	if err != nil {
		return err
	}
	f.Close()
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var todo []*zip.File
	named := map[string]bool{}
	for _, f := range zr.File {
		to := filepath.Join(dir, f.Name)
		if to == filepath.Clean(dir) { // "./", the zip's own root
			continue
		}
		if named[to] && !f.FileInfo().IsDir() {
			return fmt.Errorf("the zip names %q %w: which copy runs would be up to the tool that unpacks it, and a reviewer's unzip may show the other; build the zip again", f.Name, ErrTwice)
		}
		named[to] = true
		if !strings.HasPrefix(to, filepath.Clean(dir)+string(os.PathSeparator)) {
			return fmt.Errorf("the zip names %q, %w", f.Name, ErrOutside)
		}
		if err := b.add(f.Name, int64(min(f.UncompressedSize64, uint64(MaxUnzipped)+1))); err != nil {
			return err
		}
		todo = append(todo, f)
	}
	var links []string
	for _, f := range todo {
		to := filepath.Join(dir, f.Name)
		if err := Within(dir, filepath.Dir(to)); err != nil {
			return fmt.Errorf("the zip names %q: %w", f.Name, err)
		}
		var err error
		switch {
		case f.FileInfo().IsDir():
			err = os.MkdirAll(to, 0o755)
		case f.Mode()&fs.ModeSymlink != 0:
			err = extractLink(f, dir, at, to)
			links = append(links, to)
		default:
			err = extractFile(f, to)
		}
		if err != nil {
			return fmt.Errorf("the zip's %q: %w", f.Name, err)
		}
	}
	for _, l := range links { // once all exist, as a link may lead through another
		if err := checkLink(dir, l); err != nil {
			return err
		}
	}
	return nil
}

// extractLink makes the symlink that f holds, whose target must be, read
// from where the link is, inside dir: relative, or absolute inside at.
func extractLink(f *zip.File, dir, at, to string) error {
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	target, err := io.ReadAll(io.LimitReader(r, 4096)) // PATH_MAX
	if err != nil {
		return err
	}
	t := string(target)
	if at != "" && filepath.IsAbs(t) && under(at, filepath.Clean(t)) {
		rel, _ := filepath.Rel(at, filepath.Clean(t))
		t, _ = filepath.Rel(filepath.Dir(to), filepath.Join(dir, rel))
	}
	if t == "" || filepath.IsAbs(t) || !under(filepath.Clean(dir), filepath.Join(filepath.Dir(to), t)) {
		return fmt.Errorf("a symlink to %q, %w: a link must stay inside the package%s", target, ErrOutside, within(at))
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	os.Remove(to)
	return os.Symlink(t, to)
}

// within says where an absolute link may lead.
func within(at string) string {
	if at == "" {
		return ""
	}
	return " (an absolute one inside " + at + ", where Lambda puts it)"
}

func extractFile(f *zip.File, to string) error {
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	mode := f.Mode().Perm()
	if mode == 0 {
		mode = 0o644
	}
	// archive/zip fails a file that holds more than its header says, which
	// is what the budget counted; limit writes no more, whatever it does.
	return WriteFile(to, limit(r, int64(f.UncompressedSize64), f.Name), mode)
}

// WriteFile writes what r holds to a new file at path, with mode, making
// its directory, and replacing a file already there.
func WriteFile(path string, r io.Reader, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	os.Remove(path)
	w, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// CopyFile copies the file at from, counted at size bytes, to a new file
// at to with mode; it refuses one that holds more, or that is not a file.
func CopyFile(from, to string, mode fs.FileMode, size int64) error {
	in, _, err := open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	return WriteFile(to, limit(in, size, from), mode)
}

// open opens the regular file at path, refusing what checkFile refuses
// before it is opened (a fifo's open would wait for a writer), and returns
// its size.
func open(path string) (*os.File, int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if err := checkFile(path, st); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	if st, err = f.Stat(); err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s is %w (%s)", path, ErrNotFile, st.Mode().Type())
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}
