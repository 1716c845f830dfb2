package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReaderGone: only a pipe whose reader closed counts as broken output; a
// pipe still read, and a file, do not.
func TestReaderGone(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if readerGone(w) {
		t.Error("a pipe with its reader open counts as broken")
	}
	r.Close()
	if !readerGone(w) {
		t.Error("a pipe whose reader closed does not count as broken")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if readerGone(f) {
		t.Error("a file counts as broken")
	}
}
