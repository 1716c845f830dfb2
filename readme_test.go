package autoconfirm_test

import (
	"os"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm/handler"
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmeAliasPromise: the README once said a sign-up "can never take
// over" an alias, which no check-then-verify guard can promise. It must say
// what is guaranteed and name the race.
func TestReadmeAliasPromise(t *testing.T) {
	s := readme(t)
	for _, overclaim := range []string{"can never take over", "never take over"} {
		if strings.Contains(s, overclaim) {
			t.Errorf("the README promises %q", overclaim)
		}
	}
	for _, want := range []string{"### What is guaranteed, and what is not", "Not guaranteed: two sign-ups at the same moment", "TestSimultaneousSignUpsBothVerified"} {
		if !strings.Contains(s, want) {
			t.Errorf("the README lacks %q", want)
		}
	}
}

// TestReadmeConfiguration: every setting the handler reads is in the README's
// table with its default and allowed values.
func TestReadmeConfiguration(t *testing.T) {
	s := readme(t)
	for _, set := range handler.Settings {
		row := "| `" + set.Name + "` | `" + set.Default + "` |"
		if !strings.Contains(s, row) {
			t.Errorf("the README's configuration table lacks %s", row)
		}
	}
	if !strings.Contains(s, "`10ms` to `2.5s`") || handler.MaxLookupTimeout.String() != "2.5s" {
		t.Errorf("the README and MaxLookupTimeout (%s) disagree", handler.MaxLookupTimeout)
	}
}
