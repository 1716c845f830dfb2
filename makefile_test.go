package autoconfirm_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// need is one tool a make recipe may run: the lines that show a recipe uses
// it, and where it comes from, either the target that installs it (whose
// recipe must show the install) or the same line (go tool -modfile, go run
// pkg@version).
type need struct {
	tool      string
	uses      *regexp.Regexp
	unless    *regexp.Regexp // a use that matches this needs nothing
	inline    *regexp.Regexp // the line fetches the tool itself
	installer string
	installs  *regexp.Regexp // what the installer's recipe runs
}

// needs is every tool a recipe may run beyond Go, make, git and npm, which
// a machine brings. A target satisfies a need when it depends, directly or
// through other targets or $(MAKE), on the installer, or is the installer
// and installs before it uses.
var needs = []need{
	{tool: "a C compiler, which the race detector links",
		uses: regexp.MustCompile(`(^|\s)-race\b`), installer: "race-tools",
		installs: regexp.MustCompile(`apt-get install [^;]*\bgcc\b`)},
	{tool: "shellcheck, which actionlint and actionsh run",
		uses: regexp.MustCompile(`\bactionlint\b|internal/cmd/actionsh\b`), installer: "lint-tools",
		installs: regexp.MustCompile(`apt-get install [^;]*\bshellcheck\b`)},
	{tool: "Debian's python3, python3-boto3 and bubblewrap, which tests that host handlers use (go test without -run runs them all)",
		uses: regexp.MustCompile(`\bgo test\b`), unless: regexp.MustCompile(`\s-run[\s=]`), installer: "local-tools",
		installs: regexp.MustCompile(`apt-get install [^;]*\bpython3-boto3\b[^;]*\bbubblewrap\b`)},
	{tool: "Debian's python3, python3-boto3 and bubblewrap, which `local` hosts handlers with (bench and livelocal run it)",
		uses: regexp.MustCompile(`internal/cmd/(bench|livelocal)\b|autoconfirm-conformance local\b`), installer: "local-tools",
		installs: regexp.MustCompile(`apt-get install [^;]*\bpython3-boto3\b[^;]*\bbubblewrap\b`)},
	{tool: "cognito-local, from package-lock.json",
		uses:   regexp.MustCompile(`internal/cmd/(bench|livelocal)\b|\bgo test -tags e2e\b`),
		unless: regexp.MustCompile(`\s-run[\s=]`), installer: "node_modules/.installed",
		installs: regexp.MustCompile(`\bnpm ci\b`)},
	{tool: "Chromium, which renders the report",
		uses: regexp.MustCompile(`-run\s+'[^']*Chromium`), installer: "report-check",
		installs: regexp.MustCompile(`apt-get install [^;]*\bchromium\b`)},
	{tool: "goreleaser", uses: regexp.MustCompile(`\bgoreleaser\b`),
		inline: regexp.MustCompile(`\bgo tool -modfile=\S+ goreleaser\b|\bgo run \S*goreleaser\S*@v\d`)},
	{tool: "actionlint", uses: regexp.MustCompile(`\bactionlint\b`),
		inline: regexp.MustCompile(`\bgo tool -modfile=\S+ actionlint\b|\bgo run \S*actionlint\S*@v\d`)},
	{tool: "staticcheck", uses: regexp.MustCompile(`\bstaticcheck\b`),
		inline: regexp.MustCompile(`\bgo tool -modfile=\S+ staticcheck\b|\bgo run \S*staticcheck\S*@v\d`)},
}

// TestMakefileInstallsBeforeUse: `make X` on a machine with only Go, make,
// git and npm installs every tool before the first step that runs it, so
// no target passes only because the machine already had the tool.
func TestMakefileInstallsBeforeUse(t *testing.T) {
	mk := readMakefile(t, "Makefile")
	for _, n := range needs {
		if n.installer == "" {
			continue
		}
		if !mk.runs(n.installer, n.installs) {
			t.Errorf("make %s should install %s, but no line of its recipe matches %s", n.installer, n.tool, n.installs)
		}
	}
	for _, target := range mk.order {
		for i, line := range mk.rules[target].recipe {
			for _, n := range needs {
				if msg := mk.unmet(target, i, line, n); msg != "" {
					t.Error(msg)
				}
			}
		}
	}
}

// unmet says why line i of target's recipe runs n's tool before anything
// installs it, or "" when it does not.
func (mk *makefile) unmet(target string, i int, line string, n need) string {
	if !n.uses.MatchString(line) || (n.unless != nil && n.unless.MatchString(line)) {
		return ""
	}
	if n.inline != nil && n.inline.MatchString(line) {
		return ""
	}
	if n.installer == "" {
		return fmt.Sprintf("make %s needs %s; fetch it with `go tool -modfile=tools/go.mod` or `go run pkg@version` (line: %s)", target, n.tool, line)
	}
	if target == n.installer {
		for _, before := range mk.rules[target].recipe[:i] {
			if n.installs.MatchString(before) {
				return ""
			}
		}
		return fmt.Sprintf("make %s needs %s before its own recipe installs it; install it first (line: %s)", target, n.tool, line)
	}
	if slices.Contains(mk.before(target), n.installer) {
		return ""
	}
	return fmt.Sprintf("make %s needs %s and does not depend on %s, which installs it; add %s to its prerequisites (line: %s)", target, n.tool, n.installer, n.installer, line)
}

// TestMakefileAptIsUnattended: every apt-get install runs as CI runs it, as
// root with no terminal: only when root, after an update, with -y.
func TestMakefileAptIsUnattended(t *testing.T) {
	mk := readMakefile(t, "Makefile")
	n := 0
	for _, target := range mk.order {
		for _, line := range mk.rules[target].recipe {
			if !strings.Contains(line, "apt-get install") {
				continue
			}
			n++
			for _, want := range []string{`"$(id -u)" = 0`, "apt-get update", "DEBIAN_FRONTEND=noninteractive apt-get install -y"} {
				if !strings.Contains(line, want) {
					t.Errorf("make %s installs with apt-get without %q: %s", target, want, line)
				}
			}
		}
	}
	if n == 0 {
		t.Error("no recipe runs apt-get install: the Makefile reader found nothing to check")
	}
}

// TestMakefileReader: the reader expands variables, joins continued lines,
// and follows $(MAKE) into the targets it runs.
func TestMakefileReader(t *testing.T) {
	path := t.TempDir() + "/Makefile"
	src := "GO ?= go\nE2E := $(GO) test -tags e2e\nexport X := 1\n\n.PHONY: a\na: b ## help\n\t$(E2E) \\\n\t  ./x\n\t@if true; then $(MAKE) --no-print-directory c; fi\nb:\n\techo $$HOME\nc: ; true\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mk := readMakefile(t, path)
	if got := mk.rules["a"].recipe[0]; got != "go test -tags e2e ./x" {
		t.Errorf("recipe line %q, want the expanded, joined line", got)
	}
	if got := mk.rules["b"].recipe[0]; got != "echo $HOME" {
		t.Errorf("recipe line %q, want $$ as $", got)
	}
	if got := mk.before("a"); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("a depends on %v, want [b c]", got)
	}
}
