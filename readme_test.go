package autoconfirm_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/autoconfirm/autoconfirm/handler"
)

// readmeMaxLines is issue 25's bound: the README is for the team that finds
// it, and the project's own material lives in docs/.
const readmeMaxLines = 300

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmeLength: the README stays short enough to be read.
func TestReadmeLength(t *testing.T) {
	s := readFile(t, "README.md")
	if n := strings.Count(s, "\n"); n > readmeMaxLines {
		t.Errorf("README.md has %d lines, more than %d: move detail into docs/ and link to it", n, readmeMaxLines)
	}
	// The guide asks for the project's two commands, main job and tests, to
	// stay reachable from the README.
	for _, want := range []string{"make conformance", "make test", "(docs/development.md)"} {
		if !strings.Contains(s, want) {
			t.Errorf("the README lacks %q", want)
		}
	}
}

// TestReadmeAliasPromise: the README once said a sign-up "can never take
// over" an alias, which no check-then-verify guard can promise. No document
// may promise it, and the trigger's must say what is guaranteed and name the
// race.
func TestReadmeAliasPromise(t *testing.T) {
	for _, name := range docFiles(t) {
		s := readFile(t, name)
		for _, overclaim := range []string{"can never take over", "never take over"} {
			if strings.Contains(s, overclaim) {
				t.Errorf("%s promises %q", name, overclaim)
			}
		}
	}
	s := readFile(t, "docs/trigger.md")
	for _, want := range []string{"## What is guaranteed, and what is not", "Not guaranteed: two sign-ups at the same moment", "TestSimultaneousSignUpsBothVerified"} {
		if !strings.Contains(s, want) {
			t.Errorf("docs/trigger.md lacks %q", want)
		}
	}
}

// TestReadmeConfiguration: every setting the handler reads is in the
// trigger's configuration table with its default and allowed values.
func TestReadmeConfiguration(t *testing.T) {
	s := readFile(t, "docs/trigger.md")
	for _, set := range handler.Settings {
		row := "| `" + set.Name + "` | `" + set.Default + "` |"
		if !strings.Contains(s, row) {
			t.Errorf("the configuration table in docs/trigger.md lacks %s", row)
		}
	}
	if !strings.Contains(s, "`10ms` to `2.5s`") || handler.MaxLookupTimeout.String() != "2.5s" {
		t.Errorf("docs/trigger.md and MaxLookupTimeout (%s) disagree", handler.MaxLookupTimeout)
	}
}

// docFiles are the README and every document under docs/.
func docFiles(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("docs/*.md")
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	return append([]string{"README.md"}, docs...)
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinks: every relative link in the README and docs/ lands on a file
// that exists, and every #anchor on a heading of the file it names, so that
// moving a section out of the README leaves no link behind.
func TestDocLinks(t *testing.T) {
	anchors := map[string]map[string]bool{}
	anchorsOf := func(name string) map[string]bool {
		if a, ok := anchors[name]; ok {
			return a
		}
		anchors[name] = headingAnchors(readFile(t, name))
		return anchors[name]
	}
	checked := 0
	for _, name := range docFiles(t) {
		for _, m := range mdLink.FindAllStringSubmatch(outsideCode(readFile(t, name)), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := name
			if file != "" {
				path = filepath.Clean(filepath.Join(filepath.Dir(name), file))
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s links to %s, which does not exist", name, target)
					continue
				}
			}
			checked++
			if anchor != "" && strings.HasSuffix(path, ".md") && !anchorsOf(path)[anchor] {
				t.Errorf("%s links to %s, but %s has no heading with the anchor #%s", name, target, path, anchor)
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d links checked: the links were not found", checked)
	}
}

// outsideCode is a Markdown text without its fenced code blocks.
func outsideCode(md string) string {
	var b strings.Builder
	in := false
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			in = !in
			continue
		}
		if !in {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// headingAnchors are the anchors GitHub gives a document's headings:
// lower case, punctuation but hyphens and underscores dropped, spaces as
// hyphens, and -1, -2 … after a repeat.
func headingAnchors(md string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(outsideCode(md)))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			out[slug+"-"+strconv.Itoa(n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}
