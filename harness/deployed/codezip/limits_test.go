package codezip

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// member is one entry of a zip made for a test: a file (data), a directory
// (name ending in /), or a symlink (link, its target).
type member struct {
	name, data, link string
	// size, when set, is a length of zeros written instead of data.
	size int64
}

func makeZip(t *testing.T, members ...member) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "code.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, m := range members {
		hdr := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		hdr.SetMode(0o644)
		if m.link != "" {
			hdr.SetMode(fs.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case m.link != "":
			io.WriteString(w, m.link)
		case m.size > 0:
			io.CopyN(w, zeros{}, m.size)
		default:
			io.WriteString(w, m.data)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestExtractChecksFirst: a zip is checked before anything is written out:
// Lambda's 250 MB unzipped quota, the entry count, names and symlinks that
// lead out of the tree, and symlink loops are refused and named; symlinks
// are kept as symlinks, and a "./" entry is the zip's own root.
func TestExtractChecksFirst(t *testing.T) {
	many := make([]member, MaxEntries+1)
	for i := range many {
		many[i] = member{name: fmt.Sprintf("f%d", i)}
	}
	tests := []struct {
		name    string
		members []member
		err     error  // nil: extracted
		says    string // in the error
		// check looks at what was extracted.
		check func(t *testing.T, dir string)
	}{
		{name: "a 250 KB zip of 263 MB", members: []member{{name: "bootstrap", data: "x"}, {name: "big", size: MaxUnzipped}}, err: ErrLimit, says: "262144000 bytes"},
		{name: "more entries than the limit", members: many, err: ErrLimit, says: "more than 100000 files"},
		{name: "a symlink entry", members: []member{{name: "data.txt", data: "hello"}, {name: "lib/link", link: "../data.txt"}},
			check: func(t *testing.T, dir string) {
				target, err := os.Readlink(filepath.Join(dir, "lib/link"))
				b, _ := os.ReadFile(filepath.Join(dir, "lib/link"))
				if err != nil || target != "../data.txt" || string(b) != "hello" {
					t.Errorf("lib/link: readlink %q %v, reads %q", target, err, b)
				}
			}},
		{name: "a dangling symlink, kept as Lambda keeps it", members: []member{{name: "gone", link: "nothing-here"}},
			check: func(t *testing.T, dir string) {
				if target, err := os.Readlink(filepath.Join(dir, "gone")); err != nil || target != "nothing-here" {
					t.Errorf("readlink %q %v", target, err)
				}
			}},
		{name: "a ./ entry", members: []member{{name: "./"}, {name: "./bootstrap", data: "run"}},
			check: func(t *testing.T, dir string) {
				if b, err := os.ReadFile(filepath.Join(dir, "bootstrap")); err != nil || string(b) != "run" {
					t.Errorf("bootstrap %q %v", b, err)
				}
			}},
		{name: "an absolute symlink inside where Lambda puts the package, kept as the link it amounts to", members: []member{{name: "python/helper.py", data: "x = 1"}, {name: "python/alias.py", link: "/opt/python/helper.py"}},
			check: func(t *testing.T, dir string) {
				if target, err := os.Readlink(filepath.Join(dir, "python/alias.py")); err != nil || target != "helper.py" {
					t.Errorf("readlink %q %v, want helper.py", target, err)
				}
				if b, err := os.ReadFile(filepath.Join(dir, "python/alias.py")); err != nil || string(b) != "x = 1" {
					t.Errorf("read through the link: %q %v", b, err)
				}
			}},
		{name: "an absolute symlink that climbs out of where Lambda puts the package", members: []member{{name: "creds", link: "/opt/../etc/passwd"}}, err: ErrOutside, says: "inside /opt"},
		{name: "an absolute symlink to a sibling of where Lambda puts the package", members: []member{{name: "creds", link: "/optx/passwd"}}, err: ErrOutside},
		{name: "a file named twice", members: []member{{name: "lambda_function.py", data: "good"}, {name: "lambda_function.py", data: "bad"}}, err: ErrTwice, says: "build the zip again"},
		{name: "a name outside", members: []member{{name: "../evil", data: "x"}}, err: ErrOutside},
		{name: "an absolute symlink", members: []member{{name: "creds", link: "/etc/passwd"}}, err: ErrOutside},
		{name: "a symlink up and out", members: []member{{name: "a/creds", link: "../../outside"}}, err: ErrOutside},
		{name: "a symlink out through another", members: []member{{name: "other/f", data: "x"}, {name: "sub/y", link: "../other"}, {name: "x", link: "sub/y/../.."}}, err: ErrOutside},
		{name: "a file written through a symlink out", members: []member{{name: "other/f", data: "x"}, {name: "sub/y", link: "../other"}, {name: "x", link: "sub/y/../.."}, {name: "x/evil", data: "x"}}, err: ErrOutside},
		{name: "two symlinks to each other", members: []member{{name: "a", link: "b"}, {name: "b", link: "a"}}, err: ErrLoop},
		{name: "a symlink to its own directory's parent", members: []member{{name: "sub/f", data: "x"}, {name: "sub/up", link: ".."}}, err: ErrLoop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zipPath := makeZip(t, tt.members...)
			dir := filepath.Join(t.TempDir(), "code")
			err := ExtractWithin(zipPath, dir, "/opt", &Budget{})
			if tt.err == nil {
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, dir)
				return
			}
			if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want %v saying %q", err, tt.err, tt.says)
			}
			if tt.err == ErrLimit { // refused before anything was written
				if entries, _ := os.ReadDir(dir); len(entries) > 0 {
					t.Errorf("%d entries written before the refusal", len(entries))
				}
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil")); err == nil {
				t.Error("a file was written outside the directory")
			}
		})
	}
}

// TestTreeLoops: a directory that holds a symlink to one of its own
// ancestors is refused, named, when it is hashed or listed, rather than
// followed until the stack overflows; a link to a sibling is followed.
func TestTreeLoops(t *testing.T) {
	for _, tt := range []struct {
		name, link, target string
		err                error
	}{
		{"a link to the root", "lib/root", "..", ErrLoop},
		{"a link to itself's parent, deeper", "a/b/c/up", "../..", ErrLoop},
		{"a link to a sibling", "a/data", "../data", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, filepath.Join(root, "bootstrap"), "x", 0o755)
			write(t, filepath.Join(root, "data", "f"), "y", 0o644)
			os.MkdirAll(filepath.Join(root, filepath.Dir(tt.link)), 0o755)
			if err := os.Symlink(tt.target, filepath.Join(root, tt.link)); err != nil {
				t.Fatal(err)
			}
			_, err := Of(root)
			_, err2 := Files(root, &Budget{})
			if !errors.Is(err, tt.err) || !errors.Is(err2, tt.err) {
				t.Fatalf("Of: %v; Files: %v; want %v", err, err2, tt.err)
			}
		})
	}
}
