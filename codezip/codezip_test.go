package codezip

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
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
