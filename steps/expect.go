package steps

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// judge records that the step running found a response flag right or
// wrong; once wrong in a step, it stays wrong.
func (st *scenario) judge(flag string, right bool) {
	if st.marks == nil {
		st.marks = map[string]string{}
	}
	if st.marks[flag] != "wrong" {
		st.marks[flag] = map[bool]string{true: "right", false: "wrong"}[right]
	}
}

func (st *scenario) expectFlag(got *bool, is string, what string) error {
	want := is == "is"
	st.judge(what, *got == want)
	if *got != want {
		return fmt.Errorf("expected %s %s, but it %s", what, map[bool]string{true: "to be set", false: "to stay unset"}[want], map[bool]string{true: "was set", false: "was not set"}[*got])
	}
	return nil
}

func (st *scenario) confirmed(is string) error {
	if err := st.answered(); err != nil {
		return err
	}
	if st.obs.Confirmed == nil {
		return st.skip("whether the user is confirmed")
	}
	return st.expectFlag(st.obs.Confirmed, is, "autoConfirmUser")
}

func (st *scenario) verified(what, is string) error {
	if err := st.answered(); err != nil {
		return err
	}
	got, flag, err := st.verifyFlag(what)
	if err != nil {
		return err
	}
	return st.expectFlag(got, is, flag)
}

// verifyFlag returns the observed verify flag for the email address or the
// phone number and its name, or a skip when the target cannot observe it.
func (st *scenario) verifyFlag(what string) (*bool, string, error) {
	got, flag := st.obs.EmailVerified, "autoVerifyEmail"
	if what == "phone number" {
		got, flag = st.obs.PhoneVerified, "autoVerifyPhone"
	}
	if got == nil {
		return nil, flag, st.skip("whether the " + what + " is verified")
	}
	return got, flag, nil
}

func (st *scenario) refused() error {
	if st.obs == nil {
		return errors.New("the sign-up has not been sent")
	}
	if !st.obs.Refused {
		return fmt.Errorf("expected the sign-up to be refused, but it was accepted with %s", gjson.GetBytes(st.obs.Response, "response").Raw)
	}
	return nil
}

// said is the refusal's text as a failure quotes it: the checks read it
// whole, and a report keeps what bounded.HandlerText allows (rules §17).
func (st *scenario) said() string {
	return bounded.Text(st.obs.Message, bounded.HandlerText)
}

func (st *scenario) refusalSays(text string) error {
	if err := st.refused(); err != nil {
		return err
	}
	if !strings.Contains(st.obs.Message, text) {
		return fmt.Errorf("expected the refusal to say %q, but it said %q", text, st.said())
	}
	return nil
}

func (st *scenario) refusalIs(text string) error {
	if err := st.refused(); err != nil {
		return err
	}
	if st.obs.Message != text {
		return fmt.Errorf("expected the refusal\n  %q\nbut it was\n  %q", text, st.said())
	}
	return nil
}

func (st *scenario) refusalAnonymous() error {
	if err := st.refused(); err != nil {
		return err
	}
	for _, h := range st.in.Holders {
		if h.Username != "" && strings.Contains(st.obs.Message, h.Username) {
			return fmt.Errorf("the refusal names the other user: %q", st.said())
		}
		for k, v := range h.Attributes {
			if !strings.HasSuffix(k, "_verified") && v != "" && strings.Contains(st.obs.Message, v) {
				return fmt.Errorf("the refusal quotes the other user's %s: %q", k, st.said())
			}
		}
	}
	return nil
}

// restUnchanged checks that the event comes back byte for byte, but for the
// value of "response": autoconfirm's promise, since it splices the flags in
// and touches nothing else. Cognito itself reads only "response".
func (st *scenario) restUnchanged() error {
	if err := st.answered(); err != nil {
		return err
	}
	if st.obs.Response == nil {
		return st.skip("the returned event itself")
	}
	return sameBytesBut(st.sent(), st.obs.Response, "response")
}

func (st *scenario) exactlyUnchanged() error {
	if err := st.answered(); err != nil {
		return err
	}
	if st.obs.Response == nil {
		return st.skip("the returned event itself")
	}
	return sameBytesBut(st.sent(), st.obs.Response, "")
}

// sent is the event as the target sent it.
func (st *scenario) sent() []byte {
	if st.obs.Sent != nil {
		return st.obs.Sent
	}
	return st.in.Event
}

// sameBytesBut compares two events byte for byte, leaving out the value of
// the top-level member named skip (unless skip is empty). It names the first
// difference, so that a reformatted event says what moved.
func sameBytesBut(in, out []byte, skip string) error {
	if !gjson.ValidBytes(out) {
		return fmt.Errorf("the function returned invalid JSON: %.200s", out)
	}
	a, b := in, out
	if skip != "" {
		ri, ro := gjson.GetBytes(in, skip), gjson.GetBytes(out, skip)
		if !ri.Exists() || !ro.Exists() {
			return fmt.Errorf("the member %q is missing from the %s, so the rest cannot be compared", skip, map[bool]string{true: "event sent", false: "event returned"}[!ri.Exists()])
		}
		a = cut(in, ri)
		b = cut(out, ro)
	}
	if bytes.Equal(a, b) {
		return nil
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-40)
	return fmt.Errorf("the event came back changed from byte %d on (a handler that decodes and re-encodes the event reorders, drops or adds members):\n sent:     …%s…\n returned: …%s…",
		i, compact(string(a[from:min(len(a), i+60)])), compact(string(b[from:min(len(b), i+60)])))
}

// cut returns event without the bytes of the value r, which gjson found in it.
func cut(event []byte, r gjson.Result) []byte {
	if r.Index <= 0 || r.Index+len(r.Raw) > len(event) {
		return event
	}
	return append(append([]byte(nil), event[:r.Index]...), event[r.Index+len(r.Raw):]...)
}

var spaces = regexp.MustCompile(`\s+`)

func compact(s string) string { return spaces.ReplaceAllString(s, " ") }

func (st *scenario) lookups() ([]targets.Lookup, error) {
	if st.obs == nil {
		return nil, errors.New("the sign-up has not been sent")
	}
	if st.obs.Lookups == nil {
		return nil, st.skip("the lookups the function makes")
	}
	return st.obs.Lookups, nil
}

func (st *scenario) noLookups() error {
	l, err := st.lookups()
	if err != nil {
		return err
	}
	if len(l) != 0 {
		return fmt.Errorf("expected no lookup, got %d: %s", len(l), l)
	}
	return nil
}

// lookupsFor returns the event's value of what and the lookups made.
func (st *scenario) lookupsFor(what string) (attr, value string, l []targets.Lookup, err error) {
	if attr, value, err = st.eventValue(what); err != nil {
		return "", "", nil, err
	}
	l, err = st.lookups()
	return attr, value, l, err
}

func (st *scenario) askedAbout(what string) error {
	attr, value, l, err := st.lookupsFor(what)
	if err != nil {
		return err
	}
	for _, x := range l {
		if x.Exactly(attr, value) {
			return nil
		}
	}
	return fmt.Errorf("expected a lookup of exactly the %s %q, got %s", what, value, l)
}

func (st *scenario) onlyExact(what string) error {
	attr, value, l, err := st.lookupsFor(what)
	if err != nil {
		return err
	}
	for _, x := range l {
		if !x.Exactly(attr, value) {
			return fmt.Errorf("the lookup %s asks about more than the %s %q", x, what, value)
		}
	}
	return nil
}

func (st *scenario) lookedUpTimes(n int) error {
	l, err := st.lookups()
	if err != nil {
		return err
	}
	if len(l) != n {
		return fmt.Errorf("expected %d lookups, got %d: %s", n, len(l), l)
	}
	return nil
}

func (st *scenario) answeredWithin(ms int) error {
	if st.obs == nil {
		return errors.New("the sign-up has not been sent")
	}
	if limit := time.Duration(ms) * time.Millisecond; st.obs.Elapsed > limit {
		return fmt.Errorf("the answer took %s, over the %s the scenario allows", st.obs.Elapsed.Round(time.Millisecond), limit)
	}
	return nil
}

// gjsonKey escapes a key for a gjson path.
func gjsonKey(k string) string {
	return strings.NewReplacer(".", `\.`, "*", `\*`, "?", `\?`).Replace(k)
}
