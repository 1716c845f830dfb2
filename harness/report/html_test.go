package report

import (
	"bytes"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"
)

// scenario builds a failed scenario whose last step judged flags, with what
// came back attached under name.
func scenario(name, attachment string, body []byte, marks string) Scenario {
	s := Scenario{Name: name}
	when := Step{Keyword: "When ", Name: "the sign-up reaches the pre sign-up trigger"}
	when.Result.Status = "passed"
	when.Embeddings = []Embedding{{Name: attachment, MimeType: "application/json", Data: base64.StdEncoding.EncodeToString(body)}}
	then := Step{Keyword: "Then ", Name: "the email address is verified"}
	then.Result.Status, then.Result.Error = "failed", "expected autoVerifyEmail to be set, but it was not set"
	then.Embeddings = []Embedding{{Name: FlagsAttachment, MimeType: "application/json", Data: base64.StdEncoding.EncodeToString([]byte(marks))}}
	s.Steps = []Step{when, then}
	return s
}

// TestWrongFlagMarked: the flag a step found wrong is marked on the line
// that shows it, in a function's answer and in the user a pool read back,
// and gets a line of its own when nothing shows it.
func TestWrongFlagMarked(t *testing.T) {
	for _, tt := range []struct {
		name, attachment, body, marks string
		want                          *regexp.Regexp
	}{
		{"the function's answer", "response.json", `{"response":{"autoConfirmUser":true,"autoVerifyEmail":false}}`, `{"autoVerifyEmail":"wrong","autoConfirmUser":"right"}`,
			regexp.MustCompile(`<span class="flag wrong">\s*&#34;autoVerifyEmail&#34;: false`)},
		{"the flag left out of the answer", "response.json", `{"response":{"autoConfirmUser":true}}`, `{"autoVerifyEmail":"wrong"}`,
			regexp.MustCompile(`<span class="flag wrong">\(autoVerifyEmail is not in what came back; autoVerifyEmail is what is wrong`)},
		{"the user the pool read back", "admin-get-user.json", `{"UserStatus":"CONFIRMED","UserAttributes":[{"Name":"email_verified","Value":"false"}]}`, `{"autoVerifyEmail":"wrong"}`,
			regexp.MustCompile(`<span class="flag wrong">\s*&#34;Name&#34;: &#34;email_verified&#34;`)},
		{"the attribute the pool did not return", "admin-get-user.json", `{"UserStatus":"CONFIRMED","UserAttributes":[]}`, `{"autoVerifyEmail":"wrong"}`,
			regexp.MustCompile(`<span class="flag wrong">\(email_verified is not in what came back; autoVerifyEmail is what is wrong`)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := Feature{URI: "features/x.feature", Name: "X", Elements: []Scenario{scenario("s", tt.attachment, []byte(tt.body), tt.marks)}}
			var b bytes.Buffer
			if err := WriteHTML(&b, Meta{Generated: time.Unix(0, 0)}, []Run{{Target: "lambda", Features: []Feature{f}}}); err != nil {
				t.Fatal(err)
			}
			if !tt.want.Match(b.Bytes()) {
				t.Errorf("the wrong flag is not marked; the page's marked lines are:\n%s", strings.Join(regexp.MustCompile(`<span class="flag[^"]*">[^<]*`).FindAllString(b.String(), -1), "\n"))
			}
			if !strings.Contains(b.String(), `class="wrong-here"`) {
				t.Error("the failure does not say what is wrong beside the response")
			}
		})
	}
}

// TestFailureListedOnce: a scenario that failed at two depths is one item
// of the failure list, which links to it at both.
func TestFailureListedOnce(t *testing.T) {
	f := Feature{URI: "features/x.feature", Name: "X", Elements: []Scenario{scenario("s", "response.json", []byte(`{}`), `{}`)}}
	var b bytes.Buffer
	if err := WriteHTML(&b, Meta{Generated: time.Unix(0, 0)}, []Run{{Target: "pool", Features: []Feature{f}}, {Target: "lambda", Features: []Feature{f}}}); err != nil {
		t.Fatal(err)
	}
	list := regexp.MustCompile(`(?s)<ol class="failures">(.*?)</ol>`).FindStringSubmatch(b.String())
	if list == nil {
		t.Fatal("no failure list")
	}
	if n := strings.Count(list[1], "<li>"); n != 1 {
		t.Errorf("the failure is listed %d times, want once", n)
	}
	for _, depth := range []string{`href="#pool-`, `href="#lambda-`} {
		if !strings.Contains(list[1], depth) {
			t.Errorf("the failure does not link to its depth %s:\n%s", depth, list[1])
		}
	}
}
