package runtimes

import (
	"debug/elf"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// glibcOf is the glibc of each OS-only runtime's Amazon Linux (rules §18):
// a bootstrap linked against a newer one cannot start there.
var glibcOf = map[string][2]int{"provided.al2": {2, 26}, "provided.al2023": {2, 34}}

// checkGlibc refuses a bootstrap that needs a newer glibc than the
// runtime's Amazon Linux has: on Lambda it fails at start, with "version
// `GLIBC_2.34' not found", while this machine's newer glibc would start it
// (red team round 17). A static bootstrap, or one that is not ELF, needs
// none.
func checkGlibc(runtime, bootstrap string) error {
	have, ok := glibcOf[runtime]
	if !ok {
		return nil
	}
	f, err := elf.Open(bootstrap)
	if err != nil {
		return nil // not ELF: a script, whose interpreter is the host's
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
		return fmt.Errorf("the bootstrap needs %s, and %s's Amazon Linux has glibc %d.%d: on Lambda it cannot start (\"version `%s' not found\"); build it static (CGO_ENABLED=0 for Go) or on that Amazon Linux (docs/cognito-rules.md §18)", name, runtime, have[0], have[1], name)
	}
	return nil
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
