package codezip

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// TestSameCodeSameIdentity: the identity depends on the code alone, not on
// times, modes beyond executable, or how the files are reached.
func TestSameCodeSameIdentity(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	write(t, filepath.Join(a, "index.mjs"), "export const handler = async (e) => e;\n", 0o644)
	write(t, filepath.Join(a, "lib", "util.js"), "module.exports = 1;\n", 0o600)
	write(t, filepath.Join(b, "lib", "util.js"), "module.exports = 1;\n", 0o640)
	write(t, filepath.Join(b, "index.mjs"), "export const handler = async (e) => e;\n", 0o664)
	os.Chtimes(filepath.Join(b, "index.mjs"), time.Now(), time.Now().Add(-48*time.Hour))
	ia, err := Of(a)
	if err != nil {
		t.Fatal(err)
	}
	ib, _ := Of(b)
	if ia != ib || ia.Files != 2 {
		t.Errorf("the same code: %v and %v", ia, ib)
	}
	write(t, filepath.Join(b, "index.mjs"), "export const handler = async (e) => null;\n", 0o644)
	if ic, _ := Of(b); ic.CodeSha256 == ia.CodeSha256 {
		t.Error("other code has the same identity")
	}
}

// TestBootstrapAlone: a lone bootstrap, reached through a symlink or not,
// zips as the directory that holds it, as bootstrap, executable; its own
// sha256 is given as sha256sum prints it; and CodeSha256 is the base64
// SHA-256 of the zip's bytes, as Lambda computes it.
func TestBootstrapAlone(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "code", "bootstrap")
	write(t, bin, "#!/bin/sh\necho hi\n", 0o755)
	link := filepath.Join(dir, "link")
	os.Symlink(bin, link)
	alone, err := Of(bin)
	if err != nil {
		t.Fatal(err)
	}
	linked, _ := Of(link)
	inDir, _ := Of(filepath.Join(dir, "code"))
	if alone.CodeSha256 != linked.CodeSha256 || alone.CodeSha256 != inDir.CodeSha256 || linked.Files != 1 {
		t.Errorf("alone %v, through a symlink %v, in its directory %v", alone, linked, inDir)
	}
	sum := sha256.Sum256([]byte("#!/bin/sh\necho hi\n"))
	if alone.FileSha256 != hex.EncodeToString(sum[:]) {
		t.Errorf("bootstrap sha256 %s", alone.FileSha256)
	}
	var buf bytes.Buffer
	if _, err := Write(&buf, link); err != nil {
		t.Fatal(err)
	}
	zsum := sha256.Sum256(buf.Bytes())
	if got := base64.StdEncoding.EncodeToString(zsum[:]); got != alone.CodeSha256 {
		t.Errorf("CodeSha256 %s is not the zip's, %s", alone.CodeSha256, got)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode().Perm() != 0o755 {
		t.Errorf("the zip holds %+v (%v)", zr.File, err)
	}
}

// TestExtractRoundTrip: what Write zips, Extract lays out again, modes
// included, and its zip is the same; a name outside the directory is
// refused.
func TestExtractRoundTrip(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "lib"), 0o755)
	os.WriteFile(filepath.Join(src, "bootstrap"), []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(filepath.Join(src, "lib", "data.txt"), []byte("data"), 0o644)
	zipPath := filepath.Join(t.TempDir(), "f.zip")
	f, _ := os.Create(zipPath)
	if _, err := Write(f, src); err != nil {
		t.Fatal(err)
	}
	f.Close()
	dst := t.TempDir()
	if err := Extract(zipPath, dst); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dst, "bootstrap")); err != nil || st.Mode().Perm()&0o111 == 0 {
		t.Errorf("bootstrap lost its mode: %v %v", st, err)
	}
	a, _ := Of(src)
	if st, _ := os.Stat(zipPath); a.Size != st.Size() {
		t.Errorf("Size %d, the zip is %d bytes", a.Size, st.Size())
	}
	b, _ := Of(dst)
	if a.CodeSha256 != b.CodeSha256 {
		t.Errorf("the extracted code zips to %s, the source to %s", b.CodeSha256, a.CodeSha256)
	}
	evil := filepath.Join(t.TempDir(), "evil.zip")
	ef, _ := os.Create(evil)
	zw := zip.NewWriter(ef)
	w, _ := zw.Create("../escaped.txt")
	w.Write([]byte("x"))
	zw.Close()
	ef.Close()
	if err := Extract(evil, t.TempDir()); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("a zip naming ../escaped.txt: %v", err)
	}
}
