package autoconfirm_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// makefile is what the install-order test needs of a Makefile: its rules,
// each recipe line with variables expanded, as make would run it. It reads
// the text and runs nothing; a construct it does not know fails the test
// rather than being passed over.
type makefile struct {
	vars  map[string]string
	rules map[string]*rule
	order []string // targets as they appear
}

type rule struct {
	prereqs []string
	recipe  []string
}

var (
	varRef    = regexp.MustCompile(`\$[({]([A-Za-z_][A-Za-z0-9_.]*)[)}]`)
	directive = regexp.MustCompile(`^(-?include|sinclude|ifeq|ifneq|ifdef|ifndef|else|endif|define|endef|override|undefine|vpath)\b`)
	subMake   = regexp.MustCompile(`(?:^|[\s;&|(])make((?:\s+[^\s;&|)]+)+)`)
)

func readMakefile(t *testing.T, path string) *makefile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mk := &makefile{vars: map[string]string{"MAKE": "make"}, rules: map[string]*rule{}}
	var cur *rule
	for _, line := range logicalLines(string(b)) {
		switch {
		case strings.HasPrefix(line, "\t"):
			if cur == nil {
				t.Fatalf("%s: a recipe line outside any rule: %q", path, line)
			}
			cur.recipe = append(cur.recipe, strings.TrimSpace(line[1:]))
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
		case directive.MatchString(line):
			t.Fatalf("%s: the install-order test does not read %q; teach readMakefile it", path, line)
		default:
			cur = mk.define(t, strings.TrimPrefix(line, "export "))
		}
	}
	for _, r := range mk.rules {
		for i, line := range r.recipe {
			r.recipe[i] = mk.expand(line)
		}
	}
	return mk
}

// logicalLines joins lines continued with a backslash, as make does.
func logicalLines(s string) []string {
	var out []string
	var cont strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if cont.Len() > 0 {
			line = strings.TrimLeft(line, " \t")
		}
		if strings.HasSuffix(line, "\\") {
			cont.WriteString(strings.TrimRight(strings.TrimSuffix(line, "\\"), " \t") + " ")
			continue
		}
		out = append(out, cont.String()+line)
		cont.Reset()
	}
	return out
}

// define reads a variable assignment, or a rule line, which it returns so
// that the recipe lines that follow join it.
func (mk *makefile) define(t *testing.T, line string) *rule {
	t.Helper()
	colon, eq := strings.Index(line, ":"), strings.Index(line, "=")
	if eq >= 0 && (colon < 0 || eq < colon || colon+1 == eq || strings.HasPrefix(line[colon:], "::=")) {
		lhs := strings.TrimSpace(line[:eq])
		name := strings.TrimSpace(strings.TrimRight(lhs, ":?+"))
		value := strings.TrimSpace(line[eq+1:])
		if strings.HasSuffix(lhs, "+") {
			value = strings.TrimSpace(mk.vars[name] + " " + value)
		}
		mk.vars[name] = value
		return nil
	}
	if colon < 0 {
		t.Fatalf("Makefile: neither a rule nor a variable: %q", line)
	}
	targets, rest := strings.Fields(mk.expand(line[:colon])), line[colon+1:]
	var inline []string
	if i := strings.Index(rest, ";"); i >= 0 {
		inline, rest = []string{strings.TrimSpace(rest[i+1:])}, rest[:i]
	}
	if i := strings.Index(rest, "#"); i >= 0 {
		rest = rest[:i]
	}
	if strings.Contains(rest, "=") {
		t.Fatalf("Makefile: a target-specific variable, which the install-order test does not read: %q", line)
	}
	r := &rule{prereqs: strings.Fields(strings.ReplaceAll(mk.expand(rest), "|", " ")), recipe: inline}
	for _, target := range targets {
		if strings.HasPrefix(target, ".") {
			continue // .PHONY and other special targets
		}
		if _, dup := mk.rules[target]; dup {
			t.Fatalf("Makefile: %s has two rules; the install-order test reads one", target)
		}
		mk.rules[target] = r
		mk.order = append(mk.order, target)
	}
	return r
}

// expand replaces $(NAME) with the variable's value until none is left,
// and $$ with $; functions such as $(if ...) stay as written.
func (mk *makefile) expand(s string) string {
	const dollar = "\x00"
	s = strings.ReplaceAll(s, "$$", dollar)
	for range 20 {
		next := varRef.ReplaceAllStringFunc(s, func(ref string) string {
			if v, ok := mk.vars[varRef.FindStringSubmatch(ref)[1]]; ok {
				return strings.ReplaceAll(v, "$$", dollar)
			}
			return ref
		})
		if next == s {
			break
		}
		s = next
	}
	return strings.ReplaceAll(s, dollar, "$")
}

// before lists every target that make runs before target's recipe, or
// during it by $(MAKE): its prerequisites, theirs, and so on.
func (mk *makefile) before(target string) []string {
	var out []string
	seen := map[string]bool{target: true}
	var walk func(string)
	walk = func(t string) {
		r := mk.rules[t]
		if r == nil {
			return
		}
		next := append([]string{}, r.prereqs...)
		for _, line := range r.recipe {
			next = append(next, mk.subMakeTargets(line)...)
		}
		for _, p := range next {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
				walk(p)
			}
		}
	}
	walk(target)
	return out
}

// subMakeTargets lists the targets a recipe line runs with $(MAKE): the
// words after its flags and variable settings, up to the first that names no
// target.
func (mk *makefile) subMakeTargets(line string) []string {
	var out []string
	for _, m := range subMake.FindAllStringSubmatch(line, -1) {
		for _, word := range strings.Fields(m[1]) {
			if _, ok := mk.rules[word]; ok {
				out = append(out, word)
			} else if !strings.HasPrefix(word, "-") && !strings.Contains(word, "=") {
				break
			}
		}
	}
	return out
}

// runs reports whether target's recipe has a line matching re.
func (mk *makefile) runs(target string, re *regexp.Regexp) bool {
	r := mk.rules[target]
	if r == nil {
		return false
	}
	for _, line := range r.recipe {
		if re.MatchString(line) {
			return true
		}
	}
	return false
}
