package report

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/autoconfirm/autoconfirm/internal/termtext"
)

// godog's JUnit shapes, with a <skipped> element added.
type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	junitTotals
	Suites []*junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	junitTotals
	Cases []*junitCase `xml:"testcase"`
}

// junitTotals are the attributes a suite and the set of suites share.
type junitTotals struct {
	Name    string `xml:"name,attr"`
	Tests   int    `xml:"tests,attr"`
	Skipped int    `xml:"skipped,attr"`
	Fail    int    `xml:"failures,attr"`
	Errors  int    `xml:"errors,attr"`
	Time    string `xml:"time,attr"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Status    string        `xml:"status,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     []*junitError `xml:"error,omitempty"`
	Out       *junitOutput  `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
}

type junitError struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
}

// FixJUnit rewrites godog's JUnit so that a scenario with skipped steps and
// no failure is reported as skipped, with its reason, instead of passed;
// skips maps scenario names to reasons. It names every suite and case after
// the target (the depth), so that the pool's and the lambda's files do not
// collide when CI merges them, and gives each case a classname. A first
// suite, "<target>: verdicts", holds one case per claimed profile: passed,
// failed (fail or vacuous) or skipped (not observable at this depth).
func FixJUnit(b []byte, skips map[string]string, target string, verdicts []Verdict) ([]byte, error) {
	var s junitSuites
	if err := xml.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("reading godog's JUnit: %w", err)
	}
	s.Tests, s.Skipped, s.Fail, s.Errors = 0, 0, 0, 0
	s.Name = "autoconfirm " + target
	for _, suite := range s.Suites {
		feature := suite.Name
		suite.Name = target + ": " + feature
		suite.Tests, suite.Skipped, suite.Fail, suite.Errors = len(suite.Cases), 0, 0, 0
		for _, c := range suite.Cases {
			c.ClassName = "autoconfirm." + target + "." + feature
			fixCase(suite, c, skips)
		}
		s.Tests += suite.Tests
		s.Skipped += suite.Skipped
		s.Fail += suite.Fail
		s.Errors += suite.Errors
	}
	if len(verdicts) > 0 {
		vs := verdictSuite(target, verdicts)
		s.Suites = append([]*junitSuite{vs}, s.Suites...)
		s.Tests += vs.Tests
		s.Skipped += vs.Skipped
		s.Fail += vs.Fail
	}
	out, err := xml.MarshalIndent(&s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// fixCase makes one case's text inert, keeps only its real errors, marks a
// case that only skipped as skipped, with its reason, and counts it in
// suite. godog writes a skipped step as <error type="skipped">, also in a
// failed case, while its header counts no errors; a skipped step is not an
// error.
func fixCase(suite *junitSuite, c *junitCase, skips map[string]string) {
	hasSkip := false
	var errs []*junitError
	c.Name = termtext.Inert(c.Name)
	if c.Failure != nil {
		c.Failure.Message = termtext.Inert(c.Failure.Message)
	}
	for _, e := range c.Error {
		e.Message = termtext.Inert(e.Message)
		if e.Type == "skipped" {
			hasSkip = true
		} else {
			errs = append(errs, e)
		}
	}
	c.Error = errs
	if len(errs) > 0 {
		suite.Errors++
	}
	if c.Failure != nil {
		suite.Fail++
	}
	if c.Failure != nil || len(errs) > 0 || !hasSkip || (c.Status != "passed" && c.Status != "") {
		return
	}
	reason := skips[strings.TrimRight(strings.TrimRight(c.Name, "0123456789"), " #")]
	if reason == "" {
		reason = skips[c.Name]
	}
	if reason == "" {
		reason = "the target cannot observe some steps"
	}
	c.Status = "skipped"
	c.Skipped = &junitMessage{Message: reason}
	suite.Skipped++
}

// verdictSuite is one JUnit case per claimed profile.
func verdictSuite(target string, verdicts []Verdict) *junitSuite {
	su := &junitSuite{junitTotals: junitTotals{Name: target + ": verdicts", Tests: len(verdicts), Time: "0"}}
	for _, v := range verdicts {
		c := &junitCase{ClassName: "autoconfirm." + target + ".verdicts", Name: "profile " + v.Profile, Time: "0"}
		switch v.Verdict {
		case "pass":
			c.Status = "passed"
		case "fail":
			c.Status = "failed"
			c.Failure = &junitMessage{Message: fmt.Sprintf("%d of the profile's scenarios failed at the %s depth", v.Failed, target)}
		case "vacuous":
			c.Status = "failed"
			c.Failure = &junitMessage{Message: fmt.Sprintf("vacuous: the handler accepted none of the sign-ups sent at the %s depth, so the profile's passing scenarios show nothing", target)}
		default:
			c.Status = "skipped"
			c.Skipped = &junitMessage{Message: fmt.Sprintf("not observable: the %s depth could observe none of the profile's scenarios", target)}
		}
		if c.Failure != nil {
			su.Fail++
		}
		if c.Skipped != nil {
			su.Skipped++
		}
		su.Cases = append(su.Cases, c)
	}
	return su
}
