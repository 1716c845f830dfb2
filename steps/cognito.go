package steps

import (
	"errors"
	"fmt"
	"github.com/autoconfirm/autoconfirm/internal/bounded"
	"regexp"
	"strings"
	"unicode"

	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// Cognito's own rules for a pre sign-up answer to the events Cognito sends,
// and nothing more. Each cites docs/cognito-rules.md (autoconfirm-conformance
// rules), which gives its sources. A handler that breaks none of them gets no
// sign-up failed by Cognito because of its answer; anything stricter is a
// profile of its own, not Cognito's contract.

// e164 is the phone number format Cognito verifies (rules §7).
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// cognitoAccepts checks the answer against what Cognito enforces:
//   - a refusal is the handler's right, on every source (rules §5); a
//     timeout or a runtime that failed is not a refusal but a failure
//     (rules §4), where the target can tell them apart;
//   - the answer is the event: a JSON object whose "response" is an object,
//     with its flags booleans where present (rules §1);
//   - no verify flag without autoConfirmUser (rules §2);
//   - no verify flag for an attribute the user did not give (rules §3).
//
// An empty or invalid value is not judged here: Cognito's own validation
// stops it before the trigger runs (rules §7); defensiveAccepts judges it.
func (st *scenario) cognitoAccepts() error {
	flags, err := st.judgedFlags()
	if err != nil || flags == nil {
		return err
	}
	attrs := gjson.GetBytes(st.sent(), "request.userAttributes")
	for _, f := range []struct {
		set        bool
		flag, attr string
	}{{*flags.email, "autoVerifyEmail", "email"}, {*flags.phone, "autoVerifyPhone", "phone_number"}} {
		if f.set && !attrs.Get(f.attr).Exists() {
			st.judge(f.flag, false)
			return fmt.Errorf("%s is set, but the user gave no %s; Cognito refuses that sign-up (rules §3)", f.flag, f.attr)
		}
	}
	return nil
}

// defensiveAccepts checks that no empty or invalid value is verified: the
// events that Cognito's validation stops (rules §7), which reach a trigger
// only from a test. A refusal keeps the promise; a failure does not.
func (st *scenario) defensiveAccepts() error {
	flags, err := st.judgedFlags()
	if err != nil || flags == nil {
		return err
	}
	attrs := gjson.GetBytes(st.sent(), "request.userAttributes")
	if *flags.email {
		if why := unverifiableEmail(attrs.Get("email")); why != "" {
			st.judge("autoVerifyEmail", false)
			return fmt.Errorf("autoVerifyEmail is set, but the email address %s; Cognito would refuse the sign-up (rules §7)", why)
		}
	}
	if *flags.phone {
		if v := attrs.Get("phone_number"); v.Type != gjson.String || !e164.MatchString(v.Str) {
			st.judge("autoVerifyPhone", false)
			return fmt.Errorf("autoVerifyPhone is set, but the phone number %s is not in E.164 form; Cognito would refuse the sign-up (rules §7)", describe(v))
		}
	}
	return nil
}

// answerFlags are an accepted answer's verify flags.
type answerFlags struct{ email, phone *bool }

// judgedFlags applies the rules every answer must keep (rules §1, §2, §4,
// §6) and returns the verify flags that the caller judges further; nil
// flags, with no error, when there is nothing more to judge: a refusal, or
// an AdminCreateUser, whose flags Cognito ignores.
func (st *scenario) judgedFlags() (*answerFlags, error) {
	if st.obs == nil {
		return nil, errors.New("the sign-up has not been sent: add 'When the sign-up reaches the pre sign-up trigger'")
	}
	if err := st.unreadable(); err != nil {
		return nil, err
	}
	if st.obs.Failure != "" {
		return nil, fmt.Errorf("the sign-up failed, which is not a refusal: %s (rules §4): %s", st.obs.Failure, st.said())
	}
	if st.obs.Refused {
		return nil, nil // a refusal is the trigger's right (rules §5)
	}
	if gjson.GetBytes(st.sent(), "triggerSource").String() == "PreSignUp_AdminCreateUser" {
		return nil, nil // Cognito ignores all three flags here (rules §6).
	}
	if st.obs.Confirmed == nil || st.obs.EmailVerified == nil || st.obs.PhoneVerified == nil {
		return nil, st.skip("the flags the trigger returned")
	}
	if (*st.obs.EmailVerified || *st.obs.PhoneVerified) && !*st.obs.Confirmed {
		st.judge("autoConfirmUser", false)
		if *st.obs.EmailVerified {
			st.judge("autoVerifyEmail", false)
		}
		if *st.obs.PhoneVerified {
			st.judge("autoVerifyPhone", false)
		}
		return nil, errors.New("a verify flag is set without autoConfirmUser; Cognito refuses that sign-up: \"Phone or email cannot be auto verified, when user is not being auto confirmed.\" (rules §2)")
	}
	return &answerFlags{email: st.obs.EmailVerified, phone: st.obs.PhoneVerified}, nil
}

// unreadable fails a sign-up whose answer Cognito cannot read, and marks
// the flag at fault, if one is: Cognito fails that sign-up whatever the
// flags seem to say (targets.ReadAnswer).
func (st *scenario) unreadable() error {
	if st.obs == nil || st.obs.Unreadable == "" {
		return nil
	}
	var ae *targets.AnswerError
	a, err := targets.ReadAnswer(st.obs.Response)
	switch {
	case errors.As(err, &ae) && ae.Flag != "":
		st.judge(ae.Flag, false)
	case err == nil:
		st.markNotTaken(a)
	}
	return fmt.Errorf("the sign-up failed: Cognito cannot read or does not take the answer, so it fails the sign-up whatever the flags seem to say: %s", bounded.Text(st.obs.Unreadable, bounded.HandlerText))
}

// markNotTaken marks the flags of an answer Cognito reads but does not
// take (targets.AnswerRefusal): a verify flag without autoConfirmUser
// (rules §2), or for an attribute the user did not give (rules §3).
func (st *scenario) markNotTaken(a targets.Answer) {
	attrs := gjson.GetBytes(st.sent(), "request.userAttributes")
	if (a.Email || a.Phone) && !a.Confirm {
		st.judge("autoConfirmUser", false)
	}
	if a.Email && (!a.Confirm || !attrs.Get("email").Exists()) {
		st.judge("autoVerifyEmail", false)
	}
	if a.Phone && (!a.Confirm || !attrs.Get("phone_number").Exists()) {
		st.judge("autoVerifyPhone", false)
	}
}

// unverifiableEmail says why v cannot be a verified email address, or "".
func unverifiableEmail(v gjson.Result) string {
	if v.Type != gjson.String {
		return "is " + describe(v)
	}
	s := v.Str
	switch at := strings.LastIndexByte(s, '@'); {
	case strings.TrimSpace(s) == "":
		return "is blank"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "holds a control character"
	case at <= 0 || at == len(s)-1:
		return "has no '@' between a local part and a domain"
	}
	return ""
}

// describe names a JSON value for a message, without quoting personal data.
func describe(v gjson.Result) string {
	switch {
	case !v.Exists():
		return "absent"
	case v.Type == gjson.Null:
		return "null"
	case v.Type == gjson.String:
		return fmt.Sprintf("(a string of %d bytes)", len(v.Str))
	case v.IsObject():
		return "an object"
	case v.IsArray():
		return "an array"
	case v.Type == gjson.Number:
		return "a number"
	}
	return v.Raw
}

// holdersKept fails a sign-up after which another user no longer holds
// verified what they held: the handler wrote it off itself, which takes the
// alias from them as surely as verifying it for the new user (rules §8).
func (st *scenario) holdersKept() error {
	if len(st.obs.Unverified) == 0 {
		return nil
	}
	return fmt.Errorf("after the sign-up, %s is no longer verified: the handler marked it unverified itself, which takes the alias from the user who holds it as surely as verifying it for the new user (rules §8)", strings.Join(st.obs.Unverified, " and "))
}

// keptOrRefused checks the alias-safe promise for one value: another user
// holds it verified, so the new user must not get it verified. Leaving it
// unverified and refusing the sign-up both keep that promise.
func (st *scenario) keptOrRefused(what string) error {
	if st.obs == nil {
		return errors.New("the sign-up has not been sent")
	}
	if err := st.holdersKept(); err != nil {
		return err
	}
	if !st.aliasIn(attributeOf(what)) {
		return nil // nothing moves in this pool; another check of the scenario applies (noAliasToKeep)
	}
	if err := st.unreadable(); err != nil {
		return err
	}
	if st.obs.Failure != "" {
		return fmt.Errorf("the sign-up failed, which is not a refusal: %s (rules §4): %s", st.obs.Failure, st.said())
	}
	if st.obs.Refused {
		return nil
	}
	got, flag, err := st.verifyFlag(what)
	if err != nil {
		return err
	}
	st.judge(flag, !*got)
	if *got {
		return fmt.Errorf("%s is set although another user holds this %s verified: Cognito moves the alias to the new user and unverifies it for the other (rules §8)", flag, what)
	}
	return nil
}
