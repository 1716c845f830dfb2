package codezip

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MaxUnzipped is Lambda's quota on a function's code and layers once
// extracted, 250 MB (docs/cognito-rules.md §17), read as 250 MiB, the
// larger reading, so that nothing Lambda takes is refused here.
const MaxUnzipped int64 = 262_144_000

// MaxEntries bounds the files, directories and symlinks of code and layers
// together. Lambda states no such count; this runner does, because every
// entry is a file it creates and a header it holds in memory, and a small
// zip can name millions of empty ones. 100 000 is several times what a
// large node_modules holds.
const MaxEntries = 100_000

// ErrLimit marks code or a layer that is over MaxUnzipped or MaxEntries.
var ErrLimit = errors.New("over a limit")

// ErrLoop marks a symlink that leads back to one of its own ancestors, so
// that following it would never end.
var ErrLoop = errors.New("a symlink loop")

// ErrTwice marks a zip that names one file twice: which copy runs would be
// up to the tool that unpacks it.
var ErrTwice = errors.New("a name given twice")

// ErrOutside marks a name or a symlink that leads outside its tree.
var ErrOutside = errors.New("outside its directory")

// Budget counts what code and its layers hold, as Lambda counts them
// together against its quota. The zero Budget is empty.
type Budget struct {
	Bytes   int64
	Entries int
}

// add counts one entry of size bytes, named for the error.
func (b *Budget) add(name string, size int64) error {
	b.Entries++
	if b.Entries > MaxEntries {
		return fmt.Errorf("%w: more than %d files, directories and symlinks (at %s), this runner's limit; Lambda's unzipped quota is meant for fewer, larger files", ErrLimit, MaxEntries, name)
	}
	if size < 0 || size > MaxUnzipped-b.Bytes {
		return fmt.Errorf("%w: more than %d bytes unzipped (at %s, %d bytes), Lambda's 250 MB quota on a function's code and layers together; make the package smaller", ErrLimit, MaxUnzipped, name, size)
	}
	b.Bytes += size
	return nil
}

// Within checks that p, as far as it exists, is in root once symlinks are
// followed: a file must not be written through a symlink that leads out.
func Within(root, p string) error {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return err
	}
	q := p
	for {
		if _, err := os.Lstat(q); err == nil || q == filepath.Dir(q) {
			break
		}
		q = filepath.Dir(q)
	}
	real, err := filepath.EvalSymlinks(q)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if !under(realRoot, real) {
		return fmt.Errorf("%s leads to %s, %w", p, real, ErrOutside)
	}
	return nil
}

// under says whether p is root or below it.
func under(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}

// checkLink checks the symlink at link, inside root, once every link of its
// tree exists: it must lead to something inside root, or to nothing (a
// dangling link, which Lambda keeps too), and not to a directory that holds
// it.
func checkLink(root, link string) error {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(link)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%w at %s: %v", ErrLoop, link, err)
	case !under(realRoot, real):
		return fmt.Errorf("the symlink %s leads to %s, %w", link, real, ErrOutside)
	}
	parent, err := filepath.EvalSymlinks(filepath.Dir(link))
	if err == nil && under(real, parent) {
		return fmt.Errorf("%w: %s leads to %s, a directory that holds it", ErrLoop, link, real)
	}
	return nil
}

// linkWithin refuses the symlink at link unless what it leads to, every
// link followed, is inside realRoot.
func linkWithin(realRoot, link string) error {
	real, err := filepath.EvalSymlinks(link)
	if err != nil {
		return fmt.Errorf("%s: %w", link, err)
	}
	if real, err = filepath.Abs(real); err != nil {
		return err
	}
	if !under(realRoot, real) {
		return fmt.Errorf("the symlink %s leads to %s, %w %s, which a sandbox does not show: copy what it links to into the directory, or give the function as a zip (zip -r follows links)", link, real, ErrOutside, realRoot)
	}
	return nil
}

// ErrNotFile marks what a package cannot hold: anything but regular files,
// directories and symlinks to them (a device, a fifo, a socket), and any
// file in the kernel's trees, /proc, /sys and /dev, whose sizes stat does
// not tell (/proc/self/pagemap says 0 and reads without end).
var ErrNotFile = errors.New("not a regular file")

// ErrGrew marks a file that holds more than it was counted at.
var ErrGrew = errors.New("holds more than it was counted at")

// kernelTrees are where files are the kernel's, not a package's.
var kernelTrees = []string{"/proc", "/sys", "/dev"}

// checkFile refuses path, whose stat (links followed) is st, unless it is
// a regular file or a directory outside the kernel's trees.
func checkFile(path string, st fs.FileInfo) error {
	if !st.Mode().IsRegular() && !st.IsDir() {
		return fmt.Errorf("%s is %w (%s): a package holds regular files, directories and symlinks to them only; remove it", path, ErrNotFile, st.Mode().Type())
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if real, err = filepath.Abs(real); err != nil {
		return err
	}
	for _, k := range kernelTrees {
		if under(k, real) {
			return fmt.Errorf("%s leads to %s, in %s, so it is %w of a package: the kernel's files in /proc, /sys and /dev are refused, as stat does not tell their size; copy what you need into the package", path, real, k, ErrNotFile)
		}
	}
	return nil
}

// exact reads at most n bytes of r, and fails, rather than end, when r
// holds more: what is copied is what was counted against the budget.
type exact struct {
	r       io.Reader
	n, size int64
	name    string
}

// limit returns a reader of the n bytes that r, named name, was counted at.
func limit(r io.Reader, n int64, name string) io.Reader {
	return &exact{r: r, n: n, size: n, name: name}
}

func (e *exact) Read(p []byte) (int, error) {
	if e.n <= 0 {
		var probe [1]byte
		n, err := io.ReadFull(e.r, probe[:])
		switch {
		case n > 0:
			return 0, fmt.Errorf("%s %w, %d bytes (it grew while read, or stat does not tell its size); refused, as it could pass Lambda's 250 MB quota unseen", e.name, ErrGrew, e.size)
		case err != nil && err != io.EOF:
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.n {
		p = p[:e.n]
	}
	n, err := e.r.Read(p)
	e.n -= int64(n)
	return n, err
}
