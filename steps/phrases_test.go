package steps

import (
	"regexp"
	"testing"
)

// TestPhraseExamples checks that each example matches its own pattern and no
// other, so `autoconfirm-conformance steps` never shows an example that
// would run a different step, or none.
func TestPhraseExamples(t *testing.T) {
	for i, p := range phrases {
		if !regexp.MustCompile(p.Pattern).MatchString(p.Example) {
			t.Errorf("%s %q: its example %q does not match it", p.Keyword, p.Pattern, p.Example)
		}
		for j, q := range phrases {
			if i != j && regexp.MustCompile(q.Pattern).MatchString(p.Example) {
				t.Errorf("the example %q also matches %q", p.Example, q.Pattern)
			}
		}
		if p.bind(&scenario{}) == nil {
			t.Errorf("%q binds no step", p.Pattern)
		}
	}
}
