// Package codezip writes the deployment zip of a Lambda function's code
// deterministically, and names code the way Lambda does: CodeSha256, the
// base64 SHA-256 of the zip. The same code always gives the same bytes,
// whatever its files' times, the order a directory lists them in, or the
// umask, so a build judged locally, the zip `make package` writes and the
// function Lambda reports can be compared by one value.
package codezip

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// modified is every entry's time: the earliest a zip can hold.
var modified = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// entry is one file to zip: its name inside the zip, where it is, and its
// mode and size.
type entry struct {
	name, path string
	mode       fs.FileMode
	size       int64
}

// files lists what a zip of root holds: root itself as "bootstrap" when it
// is a file, else every file below it, symlinks followed as zip does, in
// name order. It counts them against b at their stat sizes, and refuses a
// symlink that leads back to one of its own ancestors, and what is not a
// file (checkFile). When contained, it also refuses a symlink that leads
// out of root: what is laid out for a sandbox must hold the tree alone.
func files(root string, b *Budget, contained bool) ([]entry, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if err := checkFile(root, st); err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []entry{{"bootstrap", root, st.Mode(), st.Size()}}, b.add("bootstrap", st.Size())
	}
	w := walker{seen: map[string]bool{}, b: b}
	if contained {
		if w.within, err = filepath.EvalSymlinks(root); err != nil {
			return nil, err
		}
	}
	err = w.walk(root, "")
	sort.Slice(w.out, func(i, j int) bool { return w.out[i].name < w.out[j].name })
	return w.out, err
}

// walker gathers the files of a tree: seen holds the real directories on
// the way down, so that a loop is refused, not followed; within, when set,
// is the tree's real root, out of which no symlink may lead.
type walker struct {
	out    []entry
	seen   map[string]bool
	b      *Budget
	within string
}

// walk adds the files below dir, following symlinks.
func (w *walker) walk(dir, prefix string) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	if w.seen[real] {
		return fmt.Errorf("%w: %s leads back to %s, which holds it; remove the link or point it elsewhere", ErrLoop, dir, real)
	}
	w.seen[real] = true
	defer delete(w.seen, real)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		name := e.Name()
		if prefix != "" {
			name = prefix + "/" + e.Name()
		}
		if err := w.add(p, name, e); err != nil {
			return err
		}
	}
	return nil
}

// add adds the entry e, at p, named name in the tree.
func (w *walker) add(p, name string, e fs.DirEntry) error {
	st, err := os.Stat(p) // follows a symlink
	if err != nil && e.Type()&fs.ModeSymlink != 0 {
		t, _ := os.Readlink(p)
		return fmt.Errorf("%s: a symlink to %q, which leads nowhere on this machine: %w; a link in a directory must lead inside it here, where the package is built (make an absolute link to /var/task or /opt relative)", p, t, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if err := checkFile(p, st); err != nil {
		return err
	}
	if e.Type()&fs.ModeSymlink != 0 && w.within != "" {
		if err := linkWithin(w.within, p); err != nil {
			return err
		}
	}
	switch {
	case st.IsDir():
		if err := w.b.add(name, 0); err != nil {
			return err
		}
		return w.walk(p, name)
	case st.Mode().IsRegular():
		if err := w.b.add(name, st.Size()); err != nil {
			return err
		}
		w.out = append(w.out, entry{name, p, st.Mode(), st.Size()})
	}
	return nil
}

// File is one file of a tree as a zip of it holds it: Name inside the
// tree, with slashes, and Path where it is.
type File struct {
	Name, Path string
	Mode       fs.FileMode
	// Size is what the file was counted at: CopyFile copies no more.
	Size int64
}

// Count counts what a zip of root holds against b, as Of does, without
// reading the files: the code's share of the quota it and its layers have
// together.
func Count(root string, b *Budget) error {
	_, err := files(root, b, false)
	return err
}

// Files lists the files below root as Write would zip them, symlinks
// followed, counting them against b: a layer's directory is laid out from
// it, so that it is checked as its zip would be. Unlike Write, it refuses
// a symlink that leads out of root (ErrOutside): what it lists is copied
// into a sandbox, which must hold the tree alone, never what a link
// reaches on this machine (a home directory, a checkout's .git/config).
func Files(root string, b *Budget) ([]File, error) {
	list, err := files(root, b, true)
	if err != nil {
		return nil, err
	}
	out := make([]File, len(list))
	for i, e := range list {
		out[i] = File{Name: e.name, Path: e.path, Mode: e.mode, Size: e.size}
	}
	return out, nil
}

// Write writes the zip of root: a directory's files, or a single file as
// bootstrap, the name Lambda's OS-only runtimes run.
func Write(w io.Writer, root string) (n int, err error) {
	list, err := files(root, &Budget{}, false)
	if err != nil {
		return 0, err
	}
	zw := zip.NewWriter(w)
	for _, e := range list {
		if err := add(zw, e); err != nil {
			return 0, err
		}
	}
	return len(list), zw.Close()
}

// add writes one file, executable or not, with the fixed time.
func add(zw *zip.Writer, e entry) error {
	f, _, err := open(e.path)
	if err != nil {
		return err
	}
	defer f.Close()
	mode := fs.FileMode(0o644)
	if e.mode&0o111 != 0 || e.name == "bootstrap" {
		mode = 0o755 // Lambda runs bootstrap directly
	}
	hdr := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: modified}
	hdr.SetMode(mode)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, limit(f, e.size, e.path)) // as counted, should it grow meanwhile
	return err
}

// Identity names code as Lambda does.
type Identity struct {
	// CodeSha256 is the base64 SHA-256 of the deterministic zip, which is
	// what Lambda's GetFunctionConfiguration reports for that zip.
	CodeSha256 string
	// Files counts the files zipped; -1 for a zip named as it is.
	Files int
	// Size is the zip's size in bytes, Lambda's CodeSize.
	Size int64
	// FileSha256 is, for a single bootstrap, the file's own sha256 as
	// sha256sum prints it; empty for a directory.
	FileSha256 string
}

// Of returns the identity of root: a directory, or a single bootstrap file.
func Of(root string) (Identity, error) {
	h := sha256.New()
	size := &counter{w: h}
	n, err := Write(size, root)
	if err != nil {
		return Identity{}, fmt.Errorf("zipping %s: %w", root, err)
	}
	id := Identity{CodeSha256: base64.StdEncoding.EncodeToString(h.Sum(nil)), Files: n, Size: size.n}
	if st, err := os.Stat(root); err == nil && !st.IsDir() {
		f, n, err := open(root)
		if err != nil {
			return Identity{}, err
		}
		defer f.Close()
		fh := sha256.New()
		if _, err := io.Copy(fh, limit(f, n, root)); err != nil {
			return Identity{}, err
		}
		id.FileSha256 = hex.EncodeToString(fh.Sum(nil))
	}
	return id, nil
}

// counter passes writes on to w and counts their bytes.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// String names the code for a report.
func (id Identity) String() string {
	if id.Files < 0 {
		return fmt.Sprintf("CodeSha256 %s, of the zip as it is", id.CodeSha256)
	}
	s := fmt.Sprintf("CodeSha256 %s, %d file(s) zipped deterministically", id.CodeSha256, id.Files)
	if id.FileSha256 != "" {
		s += ", bootstrap sha256 " + id.FileSha256
	}
	return s
}

// Expect names the code at path as Lambda would once it is deployed: a
// deployment zip (a file that starts as a zip does) by its own bytes, and
// anything else, a bootstrap or a directory, by the zip Of makes of it.
func Expect(path string) (Identity, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return Of(path)
	}
	f, size, err := open(path)
	if err != nil {
		return Identity{}, err
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err == nil && string(magic) == "PK\x03\x04" {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return Identity{}, err
		}
		h := sha256.New()
		n, err := io.Copy(h, limit(f, size, path))
		if err != nil {
			return Identity{}, err
		}
		return Identity{CodeSha256: base64.StdEncoding.EncodeToString(h.Sum(nil)), Files: -1, Size: n}, nil
	}
	return Of(path)
}
