//go:build e2e

package e2e

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"encoding/hex"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
)

var releaseDir = flag.String("release", "", "release-check: the directory make release-snapshot wrote (dist/release)")

// TestReleaseSnapshot checks what goreleaser made: every file the checksums
// name verifies, and nothing is left out; each runner archive holds a
// binary for its platform, and this host's starts and prints its version;
// each function zip holds one executable bootstrap for its architecture and
// is the zip make package would write of it.
func TestReleaseSnapshot(t *testing.T) {
	if *releaseDir == "" {
		t.Fatal("give -release DIR (make release-check does)")
	}
	dir := *releaseDir
	sums, err := os.Open(filepath.Join(dir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer sums.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(sums)
	for sc.Scan() {
		want, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("checksums.txt: %q", sc.Text())
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != want {
			t.Errorf("%s does not match its checksum", name)
		}
		listed[name] = true
	}
	want := map[string]string{} // artefact -> platform
	for _, p := range []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"} {
		want["autoconfirm-conformance_*_"+p+".tar.gz"] = p
	}
	want["autoconfirm-function_*_x86_64.zip"] = "linux_amd64"
	want["autoconfirm-function_*_arm64.zip"] = "linux_arm64"
	for pattern, platform := range want {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(matches) != 1 {
			t.Errorf("%s: %d files", pattern, len(matches))
			continue
		}
		name := filepath.Base(matches[0])
		if !listed[name] {
			t.Errorf("%s is not in checksums.txt", name)
		}
		var bin string
		if strings.HasSuffix(name, ".zip") {
			bin = unzipBootstrap(t, matches[0])
			id, err := codezip.Expect(matches[0])
			if err != nil {
				t.Fatal(err)
			}
			again, err := codezip.Of(bin)
			if err != nil || again.CodeSha256 != id.CodeSha256 {
				t.Errorf("%s is not the zip make package writes of its bootstrap (%s, %s)", name, id.CodeSha256, again.CodeSha256)
			}
		} else {
			bin = untarRunner(t, matches[0])
		}
		if got := platformOf(t, bin); got != platform {
			t.Errorf("%s holds a binary for %s, want %s", name, got, platform)
		}
		if platform == runtime.GOOS+"_"+runtime.GOARCH && strings.HasPrefix(name, "autoconfirm-conformance") {
			cmd := exec.Command(bin, "--version")
			cmd.Dir = t.TempDir() // the features are embedded: no checkout needed
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.HasPrefix(string(out), "autoconfirm-conformance ") || strings.Contains(string(out), "revision unknown") {
				t.Errorf("%s --version: %v: %s", name, err, out)
			}
			t.Logf("%s", out)
		}
	}
}

// untarRunner extracts the runner from a release archive.
func untarRunner(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("%s holds no autoconfirm-conformance", path)
		}
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(h.Name) == "autoconfirm-conformance" {
			return extract(t, tr, h.FileInfo().Mode())
		}
	}
}

// unzipBootstrap extracts the bootstrap from a function zip, which must hold
// it alone, executable.
func unzipBootstrap(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode().Perm()&0o111 == 0 {
		t.Fatalf("%s: want one executable bootstrap, got %d entries, the first %q %v", path, len(zr.File), zr.File[0].Name, zr.File[0].Mode())
	}
	r, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return extract(t, r, zr.File[0].Mode())
}

func extract(t *testing.T, r io.Reader, mode os.FileMode) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bin")
	f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY, mode.Perm()|0o100)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, r); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// platformOf reads a binary's OS and architecture from its headers.
func platformOf(t *testing.T, path string) string {
	t.Helper()
	if f, err := elf.Open(path); err == nil {
		defer f.Close()
		return "linux_" + map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64"}[f.Machine]
	}
	if f, err := macho.Open(path); err == nil {
		defer f.Close()
		return "darwin_" + map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[f.Cpu]
	}
	t.Fatalf("%s is neither ELF nor Mach-O", path)
	return ""
}

// TestGoInstall installs the runner as the README says, into an empty
// GOPATH (the module cache is shared, so nothing is fetched twice), and runs
// it from an empty directory: the features and fixtures are embedded.
func TestGoInstall(t *testing.T) {
	gopath := t.TempDir()
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "install", "./cmd/autoconfirm-conformance")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "GOPATH="+gopath, "GOBIN=", "GOMODCACHE="+strings.TrimSpace(string(modcache)), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	bin := filepath.Join(gopath, "bin", "autoconfirm-conformance")
	empty := t.TempDir()
	for _, args := range [][]string{{"--version"}, {"steps"}, {"--tags", "@signup", "--format", "progress"}} {
		run := exec.Command(bin, args...)
		run.Dir = empty
		run.Env = append(os.Environ(), "PROFILE=", "TAGS=")
		if out, err := run.CombinedOutput(); err != nil {
			t.Errorf("%s %s from an empty directory: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
		}
	}
}
