package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

var crash = FunctionError{Label: "crashed", Why: "an AWS SDK error the handler did not catch", Scenario: "Alias reuse: a quote in the email",
	URI: "features/alias_reuse.feature", Where: "line 40", Type: "InvalidParameterException", Message: "Error while parsing filter."}

func TestAddFunctionErrors(t *testing.T) {
	in := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="autoconfirm lambda" tests="1" skipped="0" failures="0" errors="0" time="0"><testsuite name="lambda: f" tests="1" skipped="0" failures="0" errors="0" time="0"><testcase classname="c" name="n" status="passed" time="0"></testcase></testsuite></testsuites>`)
	out, err := AddFunctionErrors(in, "lambda", []FunctionError{crash})
	if err != nil {
		t.Fatal(err)
	}
	var s junitSuites
	if err := xml.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	if s.Tests != 2 || len(s.Suites) != 2 || s.Suites[1].Name != "lambda: function errors" {
		t.Fatalf("got %d tests in %d suites: %s", s.Tests, len(s.Suites), out)
	}
	c := s.Suites[1].Cases[0]
	if c.Name != "crashed: "+crash.Scenario || c.Out == nil || !strings.Contains(c.Out.Text, "InvalidParameterException: Error while parsing filter.") ||
		!strings.Contains(c.Out.Text, "features/alias_reuse.feature, line 40") {
		t.Errorf("the case is %+v, %+v", c, c.Out)
	}
	if same, _ := AddFunctionErrors(in, "lambda", nil); !bytes.Equal(same, in) {
		t.Error("no function error changed the file")
	}
}

func TestHTMLListsFunctionErrors(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, Meta{Generated: time.Unix(0, 0)}, []Run{{Target: "lambda", Errors: []FunctionError{crash}}}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`id="function-errors"`, "crashed", crash.Scenario, "InvalidParameterException", "Error while parsing filter.", "features/alias_reuse.feature, line 40"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("the page lacks %q", w)
		}
	}
}

// TestHTMLShowsHostileTextInert: a handler's refusal with an escape
// sequence and a right-to-left override is shown as escapes, so that it
// cannot read as a pass or hide what follows (red team round 14).
func TestHTMLShowsHostileTextInert(t *testing.T) {
	hostile := crash
	hostile.Type, hostile.Message = "Error\u202e", "refused \u202eSSAP \x1b[8m"
	var b bytes.Buffer
	if err := WriteHTML(&b, Meta{Generated: time.Unix(0, 0)}, []Run{{Target: "lambda", Errors: []FunctionError{hostile}}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `refused \u202eSSAP \x1b[8m`) {
		t.Errorf("the page does not show the refusal's escapes")
	}
	if strings.ContainsAny(b.String(), "\u202e\x1b") {
		t.Errorf("the page holds a raw bidirectional control or escape")
	}
}
