package report

import (
	"strings"
	"testing"
)

// TestFixJUnitShowsHostileTextInert: a step's error that carries a
// handler's refusal keeps no raw bidirectional control in the
// JUnit a CI system renders (red team round 14).
func TestFixJUnitShowsHostileTextInert(t *testing.T) {
	godog := `<testsuites name="x" tests="1" skipped="0" failures="0" errors="1" time="0">
  <testsuite name="Sign-up" tests="1" skipped="0" failures="0" errors="1" time="0">
    <testcase name="refused &#x202E;SSAP" status="failed" time="0">
      <error message="refused &#x202E;SSAP" type="step"></error>
    </testcase>
  </testsuite>
</testsuites>`
	out, err := FixJUnit([]byte(godog), nil, "lambda", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `refused \u202eSSAP`) {
		t.Errorf("the error's escapes are not shown:\n%s", out)
	}
	if strings.Contains(string(out), "&#x202E;") || strings.Contains(string(out), "\u202e") {
		t.Errorf("a raw control is left:\n%s", out)
	}
}
