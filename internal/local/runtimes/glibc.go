package runtimes

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
)

// Amazon Linux's glibc: a binary or native module linked against a newer
// one cannot start or load there (rules §18).
var (
	al2    = [2]int{2, 26}
	al2023 = [2]int{2, 34}
)

// glibcOf is the glibc of the runtime's Amazon Linux: AL2 for the OS-only
// provided.al2, Python 3.9 to 3.11 and Node.js 18; AL2023 for the rest
// (Lambda's runtimes table, rules §18; red team round 20).
func glibcOf(runtime string) ([2]int, bool) {
	rt, err := ParseRuntime(runtime)
	switch {
	case err != nil:
		return [2]int{}, false
	case rt.Name == "provided.al2", rt.Kind == Python && rt.Minor <= 11, rt.Kind == Node && rt.Major <= 18:
		return al2, true
	}
	return al2023, true
}

// checkGlibc refuses a bootstrap that needs a newer glibc than the
// runtime's Amazon Linux has: on Lambda it fails at start, with "version
// `GLIBC_2.34' not found", while this machine's newer glibc would start it
// (red team round 17). A static bootstrap, or one that is not ELF, needs
// none.
func checkGlibc(runtime, bootstrap string) error {
	have, ok := glibcOf(runtime)
	if !ok {
		return nil
	}
	if !isELF(bootstrap) {
		return nil // a script, whose interpreter is the host's
	}
	f, err := elf.Open(bootstrap)
	if err != nil {
		return nil
	}
	defer f.Close()
	needs, err := f.DynamicVersionNeeds()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil
	}
	newest, name := [2]int{}, ""
	for _, n := range needs {
		for _, d := range n.Needs {
			if v, ok := glibcVersion(d.Dep); ok && (v[0] > newest[0] || v[0] == newest[0] && v[1] > newest[1]) {
				newest, name = v, d.Dep
			}
		}
	}
	if newest[0] > have[0] || newest[0] == have[0] && newest[1] > have[1] {
		return fmt.Errorf("it needs %s, and %s's Amazon Linux has glibc %d.%d: on Lambda it cannot start or load (\"version `%s' not found\"); build it static (CGO_ENABLED=0 for Go) or on that Amazon Linux (docs/cognito-rules.md §18)", name, runtime, have[0], have[1], name)
	}
	return nil
}

// checkGlibcTree checks every ELF file below root, links not followed: a
// bootstrap script may start a program of the package's, or load a
// library of a layer's (red team round 19).
func checkGlibcTree(runtime, root string) error {
	if _, ok := glibcOf(runtime); !ok || root == "" {
		return nil
	}
	seen := 0
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if seen++; seen > codezip.MaxEntries {
			return filepath.SkipAll
		}
		if err := checkGlibc(runtime, p); err != nil {
			rel, _ := filepath.Rel(root, p)
			return fmt.Errorf("%s: %w", rel, err)
		}
		return nil
	})
}

// glibcVersion reads GLIBC_2.34 as {2, 34}.
func glibcVersion(dep string) ([2]int, bool) {
	v, ok := strings.CutPrefix(dep, "GLIBC_")
	major, minor, found := strings.Cut(v, ".")
	if !ok || !found {
		return [2]int{}, false
	}
	minor, _, _ = strings.Cut(minor, ".")
	a, err1 := strconv.Atoi(major)
	b, err2 := strconv.Atoi(minor)
	return [2]int{a, b}, err1 == nil && err2 == nil
}

// isELF reports whether the file at p begins with ELF's magic number.
func isELF(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 4)
	_, err = io.ReadFull(f, magic)
	return err == nil && string(magic) == elf.ELFMAG
}
