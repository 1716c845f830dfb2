package diff

import (
	"bytes"
	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"strings"
	"testing"
)

// TestReportMarkdown: a diff's Markdown shows the nondeterministic side,
// then the ranked groups each under one heading, harmful first, and every
// text a handler wrote is inert: no HTML, no mention, no table cell.
func TestReportMarkdown(t *testing.T) {
	hostile := "<script>alert(1)</script> @org/team | **bold** [x](http://evil.example)"
	rep := Report{SideA: sideJSON{Spec: "local:provided.al2023:./old"}, SideB: sideJSON{Spec: "local:provided.al2023:./new|x"}, Cases: 10, SignUps: 40, Status: 1,
		Nondeterministic: []Nondeterminism{{Side: "B", Spec: "local:new", Events: 2, First: "generated #4",
			Decisions: [2]Decision{{Outcome: Accepted, Confirm: true}, {Outcome: Refused, Message: hostile}}, ExampleJSON: `{"a":"` + "``" + `"}`}},
		Differences: []Difference{
			{Kind: "autoVerifyEmail", Source: "PreSignUp_SignUp", Value: "email valid, held verified by another user", Category: BreaksProfile, Rank: 1, Takeover: true, Harm: "B verifies an email address another user holds verified",
				A: Decision{Outcome: Accepted, Confirm: true}, B: Decision{Outcome: Accepted, Confirm: true, Email: true}, Count: 3, First: "generated #1", ExampleJSON: `{"x":1}`},
			{Kind: "outcome", Source: "PreSignUp_SignUp", Category: DecisionChange, Rank: 2,
				A: Decision{Outcome: Accepted}, B: Decision{Outcome: Refused, Message: hostile}, Count: 1, First: hostile, ExampleJSON: `{"x":2}`},
			{Kind: "autoVerifyPhone", Source: "PreSignUp_SignUp", Value: "phone_number invalid", Category: TestOnly, Rank: 3, Harm: "Cognito never sends it",
				A: Decision{Outcome: Accepted}, B: Decision{Outcome: Accepted, Confirm: true, Phone: true}, Count: 9, First: "article-sample", ExampleJSON: `{"x":3}`},
		}}
	var b bytes.Buffer
	rep.Markdown(&b)
	md := b.String()
	at := -1
	for _, h := range []string{"### autoconfirm diff: ❌ 3 difference(s)", "#### ⚠️ Nondeterministic", "#### 1. ❌ Breaks a profile, 1 difference(s)", "#### 2. Decision changed, 1 difference(s)", "#### 3. Test-only, 1 difference(s)"} {
		i := strings.Index(md, h)
		if i <= at || strings.Count(md, h) != 1 {
			t.Errorf("%q is not once, in order:\n%s", h, md)
		}
		at = i
	}
	for _, bad := range []string{"<script>", "@org", "](http", "**bold**", "./new|x"} {
		if strings.Contains(md, bad) {
			t.Errorf("unescaped %q in:\n%s", bad, md)
		}
	}
	for _, h := range Categories {
		if strings.Count(md, conformance.MarkdownText(h.Heading())) != 1 {
			t.Errorf("the one-line heading of %s is not there once:\n%s", h, md)
		}
	}
	b.Reset()
	(Report{Differences: []Difference{}}).Markdown(&b)
	if !strings.Contains(b.String(), "✅ no difference") {
		t.Errorf("an empty diff: %s", b.String())
	}
}

// TestIgnoreEveryKind: a list of every kind checks nothing, and is refused.
func TestIgnoreEveryKind(t *testing.T) {
	if err := CheckKinds(Kinds); err == nil || !strings.Contains(err.Error(), "check nothing") {
		t.Errorf("ignoring every kind: %v", err)
	}
	if err := CheckKinds(Kinds[1:]); err != nil {
		t.Errorf("ignoring all but one: %v", err)
	}
}
