package codezip

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOnlyFiles: what stat cannot size, a /proc file that says 0 bytes and
// reads without end, a fifo that never ends, is refused by the walk, the
// hash and the copy, at once, rather than read; a file that holds more than
// it was counted at is refused while it is copied.
func TestOnlyFiles(t *testing.T) {
	tree := func(t *testing.T, link string) string {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "nodejs"), 0o755)
		os.WriteFile(filepath.Join(dir, "nodejs", "index.js"), []byte("x"), 0o644)
		if err := os.Symlink(link, filepath.Join(dir, "nodejs", "pm")); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, root string
		zip        bool // a file ExtractWithin reads as a zip
		want       error
	}{
		{"a link to /proc/self/pagemap", tree(t, "/proc/self/pagemap"), false, ErrNotFile},
		{"a link to /proc/self, a directory", tree(t, "/proc/self"), false, ErrNotFile},
		{"a link to /dev/zero", tree(t, "/dev/zero"), false, ErrNotFile},
		{"a link to a fifo", tree(t, fifo), false, ErrNotFile},
		{"a bootstrap that is /proc/self/pagemap", "/proc/self/pagemap", true, ErrNotFile},
		{"a bootstrap that is a fifo", fifo, true, ErrNotFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 3)
			go func() {
				_, err := Files(tt.root, &Budget{})
				done <- err
				_, err = Of(tt.root)
				done <- err
				done <- ExtractWithin(tt.root, t.TempDir(), "", &Budget{})
			}()
			for _, what := range []string{"Files", "Of", "ExtractWithin"} { // ExtractWithin of a directory is refused anyway
				select {
				case err := <-done:
					if !errors.Is(err, tt.want) && (what != "ExtractWithin" || tt.zip) {
						t.Errorf("%s: %v, want %v", what, err, tt.want)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("%s still reading after 10 s", what)
				}
			}
		})
	}
}

// TestCopiesWhatWasCounted: a file that grew after it was counted, and a
// zip entry that holds more than its header says, write no more than was
// counted, and fail.
func TestCopiesWhatWasCounted(t *testing.T) {
	dir := t.TempDir()
	grown := filepath.Join(dir, "grown")
	os.WriteFile(grown, bytes.Repeat([]byte("a"), 100), 0o644)
	to := filepath.Join(dir, "copy")
	if err := CopyFile(grown, to, 0o644, 10); !errors.Is(err, ErrGrew) {
		t.Errorf("CopyFile of 100 bytes counted at 10: %v, want %v", err, ErrGrew)
	}
	if st, err := os.Stat(to); err == nil && st.Size() > 10 {
		t.Errorf("wrote %d bytes of a file counted at 10", st.Size())
	}
	if err := CopyFile(grown, to, 0o644, 100); err != nil {
		t.Errorf("CopyFile as counted: %v", err)
	}

	lying := filepath.Join(dir, "lying.zip")
	f, _ := os.Create(lying)
	zw := zip.NewWriter(f)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "big", Method: zip.Store, UncompressedSize64: 5, CompressedSize64: 100})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bytes.Repeat([]byte("b"), 100))
	zw.Close()
	f.Close()
	out := filepath.Join(dir, "out")
	if err := Extract(lying, out); err == nil {
		t.Error("a zip entry of 100 bytes whose header says 5 was extracted")
	}
	if st, err := os.Stat(filepath.Join(out, "big")); err == nil && st.Size() > 5 {
		t.Errorf("wrote %d bytes of an entry whose header says 5", st.Size())
	}
}

// TestFilesStayInside: Files, which lays a tree out for a sandbox, refuses
// a symlink that leads out of the tree, and follows one that stays in it;
// Of, which names the code as its zip, follows both, as zip -r does.
func TestFilesStayInside(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "credentials"), []byte("secret"), 0o600)
	for _, tt := range []struct {
		name, target string
		want         error
	}{
		{"a link to a directory out of the tree", outside, ErrOutside},
		{"a link to a file out of the tree", filepath.Join(outside, "credentials"), ErrOutside},
		{"a link inside the tree", "real", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "real"), []byte("x"), 0o644)
			if err := os.Symlink(tt.target, filepath.Join(dir, "link")); err != nil {
				t.Fatal(err)
			}
			if _, err := Files(dir, &Budget{}); !errors.Is(err, tt.want) {
				t.Errorf("Files: %v, want %v", err, tt.want)
			}
			if _, err := Of(dir); err != nil {
				t.Errorf("Of: %v, want the link followed", err)
			}
		})
	}
}

// TestDanglingLinkNamed: a code directory's absolute link to where Lambda
// puts the code leads nowhere here, where the package is built; the error
// names the link and how to fix it, not a bare stat.
func TestDanglingLinkNamed(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "conf.json"), []byte("{}"), 0o644)
	os.Symlink("/var/task/sub/conf.json", filepath.Join(dir, "conf.json"))
	_, err := Of(dir)
	if err == nil || !strings.Contains(err.Error(), `a symlink to "/var/task/sub/conf.json", which leads nowhere on this machine`) || !strings.Contains(err.Error(), "relative") {
		t.Errorf("Of: %v", err)
	}
}
