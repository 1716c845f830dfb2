package autoconfirm_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// maxTracked is the largest file the repository may hold: build output and
// downloads belong in dist/ and caches, not in git.
const maxTracked = 1 << 20

// compiled names the kind of compiled binary head starts with, judged by
// its magic bytes alone (a file's mode says nothing: git keeps only the
// executable bit), or "" for anything else.
func compiled(head []byte) string {
	magics := []struct {
		kind  string
		magic []byte
	}{
		{"an ELF executable or object", []byte("\x7fELF")},
		{"a 32-bit Mach-O binary", []byte{0xfe, 0xed, 0xfa, 0xce}},
		{"a 32-bit Mach-O binary", []byte{0xce, 0xfa, 0xed, 0xfe}},
		{"a 64-bit Mach-O binary", []byte{0xfe, 0xed, 0xfa, 0xcf}},
		{"a 64-bit Mach-O binary", []byte{0xcf, 0xfa, 0xed, 0xfe}},
		{"a universal Mach-O binary or a Java class", []byte{0xca, 0xfe, 0xba, 0xbe}},
		{"a 64-bit universal Mach-O binary", []byte{0xca, 0xfe, 0xba, 0xbf}},
		{"a WebAssembly module", []byte("\x00asm")},
		{"a static library (ar archive)", []byte("!<arch>\n")},
	}
	for _, m := range magics {
		if bytes.HasPrefix(head, m.magic) {
			return m.kind
		}
	}
	// MZ alone could begin a text file; a PE image names its "PE\0\0"
	// header at offset 0x3c.
	if bytes.HasPrefix(head, []byte("MZ")) && len(head) >= 0x40 {
		off := int(binary.LittleEndian.Uint32(head[0x3c:]))
		if off+4 <= len(head) && bytes.Equal(head[off:off+4], []byte("PE\x00\x00")) {
			return "a Windows PE executable"
		}
	}
	return ""
}

// TestNoTrackedBinary: no tracked file is a compiled binary or larger than
// 1 MB. It reads what git tracks, so it needs a checkout; a copy without
// one (a module zip, an unpacked archive) has no history to guard.
func TestNoTrackedBinary(t *testing.T) {
	if _, err := os.Stat(".git"); errors.Is(err, fs.ErrNotExist) && exec.Command("git", "rev-parse", "--is-inside-work-tree").Run() != nil {
		t.Skip("not checked: no git checkout here (no .git), so nothing is tracked; the tracked-binary check runs in a clone, as in CI")
	}
	out, err := exec.Command("git", "ls-files", "-z", "--cached").Output()
	if err != nil {
		t.Fatalf("git ls-files in this checkout: %v (install git: the check reads what git tracks)", err)
	}
	for _, path := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if problem := trackedProblem(path); problem != "" {
			t.Errorf("%s is tracked and %s: remove it with git rm --cached and ignore it in .gitignore", path, problem)
		}
	}
}

// trackedProblem says what is wrong with a tracked file in the work tree,
// or "" when nothing is (symlinks, submodules and files deleted here are
// git's, not files this check can read).
func trackedProblem(path string) string {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() {
		return ""
	}
	var problems []string
	if info.Size() > maxTracked {
		problems = append(problems, "larger than 1 MB")
	}
	f, err := os.Open(path)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "unreadable: " + err.Error()
	}
	if kind := compiled(head[:n]); kind != "" {
		problems = append(problems, kind+" (by its magic bytes)")
	}
	return strings.Join(problems, " and ")
}

// TestCompiledMagic: the magic bytes of each kind of compiled binary, and
// text that merely starts alike.
func TestCompiledMagic(t *testing.T) {
	pe := make([]byte, 0x84)
	copy(pe, "MZ")
	binary.LittleEndian.PutUint32(pe[0x3c:], 0x80)
	copy(pe[0x80:], "PE\x00\x00")
	tests := []struct {
		name string
		head []byte
		want bool
	}{
		{"ELF", []byte("\x7fELF\x02\x01\x01"), true},
		{"Mach-O 64 little-endian", []byte{0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1}, true},
		{"Mach-O 32 big-endian", []byte{0xfe, 0xed, 0xfa, 0xce}, true},
		{"universal Mach-O", []byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2}, true},
		{"PE", pe, true},
		{"wasm", []byte("\x00asm\x01\x00\x00\x00"), true},
		{"ar", []byte("!<arch>\ndebian-binary"), true},
		{"text starting MZ", []byte("MZ is a postcode area\n" + strings.Repeat("x", 80)), false},
		{"Go source", []byte("package main\n"), false},
		{"empty", nil, false},
		{"shell script", []byte("#!/bin/sh\necho hi\n"), false},
	}
	for _, tt := range tests {
		if got := compiled(tt.head) != ""; got != tt.want {
			t.Errorf("%s: compiled = %v, want %v", tt.name, got, tt.want)
		}
	}
}
