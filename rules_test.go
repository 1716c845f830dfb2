package autoconfirm_test

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// rulesDoc is the project's rules document: the facts the code relies on,
// with their sources.
const rulesDoc = "docs/cognito-rules.md"

var (
	// heading is a section of the rules document: "## §8 …", "### §22.4 …".
	heading = regexp.MustCompile(`^#{2,3} §(\d+(?:\.\d+)?) `)
	// citation is "rules §8", "rules §1, §11", "rules §1–§4", "rules §8 and §9".
	citation = regexp.MustCompile(`rules (§\d+(?:\.\d+)?(?:(?:, |–| and )§\d+(?:\.\d+)?)*)`)
	section  = regexp.MustCompile(`§(\d+(?:\.\d+)?)`)
	// cited are the files that may cite the rules.
	cited = []string{".go", ".md", ".feature", ".mjs", ".js", ".cjs", ".py", ".sh", ".yml", ".yaml", ".ts", ".json"}
)

// TestRulesCitationsExist: every "rules §N" in the repository names a
// section of the rules document, and nothing cites the facts sheet outside
// the repository, which a reader of the code cannot open.
func TestRulesCitationsExist(t *testing.T) {
	sections := rulesSections(t)
	if len(sections) < 20 {
		t.Fatalf("%s has %d sections; the test reads its headings wrong", rulesDoc, len(sections))
	}
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "dist"):
			return fs.SkipDir
		case d.IsDir() || !slices.Contains(cited, filepath.Ext(path)) || path == "rules_test.go":
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		if strings.Contains(text, "facts §") {
			t.Errorf("%s cites the facts sheet (\"facts §\"), which is not in the repository: cite %s instead", path, rulesDoc)
		}
		for _, c := range citation.FindAllStringSubmatch(text, -1) {
			for _, s := range section.FindAllStringSubmatch(c[1], -1) {
				checked++
				if !sections[s[1]] {
					t.Errorf("%s cites rules §%s, which %s does not have", path, s[1], rulesDoc)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Errorf("only %d citations were checked; the test reads them wrong", checked)
	}
}

// rulesSections are the numbers of the rules document's sections.
func rulesSections(t *testing.T) map[string]bool {
	f, err := os.Open(rulesDoc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if m := heading.FindStringSubmatch(sc.Text()); m != nil {
			out[m[1]] = true
		}
	}
	return out
}
