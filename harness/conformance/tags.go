package conformance

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// tagExpr is a parsed godog tag expression: any of several all-of groups.
type tagExpr [][]tagTerm

type tagTerm struct {
	not  bool
	name string // without the @
}

var (
	tagName       = regexp.MustCompile(`^~?@[^\s@~,&()]+$`)
	cucumberWords = regexp.MustCompile(`(?i)(^|\s)(and|or|not)(\s|$)|[()]`)
)

// tagSyntax is the grammar, for error messages.
const tagSyntax = "this runner takes godog's tag expressions: '@a' selects a tag, '~@a' leaves it out, '@a && @b' needs both, '@a,@b' either; " +
	"Cucumber's 'not @a', '@a and @b' and '@a or @b' are written '~@a', '@a && @b' and '@a,@b'"

// parseTags checks a tag expression. godog itself panics on some malformed
// ones ('@@@', '@a,') and reads others as selecting nothing ('not @a').
func parseTags(expr string) (tagExpr, error) {
	if cucumberWords.MatchString(expr) {
		return nil, fmt.Errorf("the tag expression %q uses Cucumber's words or parentheses; %s", expr, tagSyntax)
	}
	var e tagExpr
	for _, group := range strings.Split(expr, ",") {
		var all []tagTerm
		for _, t := range strings.Split(group, "&&") {
			t = strings.TrimSpace(t)
			if !tagName.MatchString(t) {
				if t == "" {
					return nil, fmt.Errorf("the tag expression %q has an empty term; %s", expr, tagSyntax)
				}
				return nil, fmt.Errorf("the tag expression %q has the term %q, which is not a tag; %s", expr, t, tagSyntax)
			}
			all = append(all, tagTerm{not: t[0] == '~', name: strings.TrimLeft(t, "~@")})
		}
		e = append(e, all)
	}
	return e, nil
}

// match reports whether a scenario with these tags (each with its @) is
// selected.
func (e tagExpr) match(tags []string) bool {
	has := map[string]bool{}
	for _, t := range tags {
		has[strings.TrimPrefix(t, "@")] = true
	}
	for _, all := range e {
		ok := true
		for _, t := range all {
			if has[t.name] == t.not {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// selectionError says why a run would check nothing: no scenario matches.
func selectionError(expr string, known map[string]bool) error {
	var names []string
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Errorf("the tag expression %q selects no scenario, so the run would check nothing; the features' tags are %s", expr, strings.Join(names, " "))
}
