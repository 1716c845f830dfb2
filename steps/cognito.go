package steps

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/tidwall/gjson"
)

// Cognito's own rules for a pre sign-up answer, and nothing more. Each cites
// the facts sheet (../shared/docs/cognito-presignup-facts.md). A handler that
// breaks none of them gets no sign-up refused by Cognito because of its
// answer; anything stricter is a profile of its own, not Cognito's contract.

// e164 is the phone number format Cognito verifies (facts §2.1: "a valid,
// non-null value"; Cognito's phone_number is E.164).
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// cognitoAccepts checks the answer against what Cognito enforces:
//   - a refusal is the handler's right, except on PreSignUp_AdminCreateUser,
//     where it fails an administrator's call whose flags Cognito ignores
//     anyway (facts §1.4);
//   - the answer is the event: a JSON object whose "response" is an object
//     (facts §1.1, §2.3 "Unrecognizable lambda output"), with its flags
//     booleans where present (facts §1.2);
//   - no verify flag without autoConfirmUser (facts §2.2);
//   - no verify flag for an email or phone number that is absent, empty or
//     certainly invalid (facts §2.1).
//
// Only values that no reading of Cognito could accept count as invalid here:
// an email address that is not a string, blank, holds a control character, or
// has no '@' between two parts; a phone number not in E.164 form.
func (st *scenario) cognitoAccepts() error {
	if st.obs == nil {
		return errors.New("the sign-up has not been sent: add 'When the sign-up reaches the pre sign-up trigger'")
	}
	event := st.sent()
	source := gjson.GetBytes(event, "triggerSource").String()
	if st.obs.Refused {
		if source == "PreSignUp_AdminCreateUser" {
			return fmt.Errorf("the trigger refused an administrator's AdminCreateUser, whose flags Cognito ignores (facts §1.4): %s", st.obs.Message)
		}
		return nil
	}
	if r := st.obs.Response; r != nil {
		if err := answerShape(r); err != nil {
			return err
		}
	}
	if source == "PreSignUp_AdminCreateUser" {
		return nil // Cognito ignores all three flags here (facts §1.4).
	}
	if st.obs.Confirmed == nil || st.obs.EmailVerified == nil || st.obs.PhoneVerified == nil {
		return st.skip("the flags the trigger returned")
	}
	if (*st.obs.EmailVerified || *st.obs.PhoneVerified) && !*st.obs.Confirmed {
		return errors.New("a verify flag is set without autoConfirmUser; Cognito refuses that sign-up: \"Phone or email cannot be auto verified, when user is not being auto confirmed.\" (facts §2.2)")
	}
	attrs := gjson.GetBytes(event, "request.userAttributes")
	if *st.obs.EmailVerified {
		if why := unverifiableEmail(attrs.Get("email")); why != "" {
			return fmt.Errorf("autoVerifyEmail is set, but the email address %s; Cognito refuses that sign-up (facts §2.1)", why)
		}
	}
	if *st.obs.PhoneVerified {
		if v := attrs.Get("phone_number"); v.Type != gjson.String || !e164.MatchString(v.Str) {
			return fmt.Errorf("autoVerifyPhone is set, but the phone number %s is not in E.164 form; Cognito refuses that sign-up (facts §2.1)", describe(v))
		}
	}
	return nil
}

// answerShape checks that the answer is the event with a response object
// whose flags, where present, are booleans.
func answerShape(r []byte) error {
	if !gjson.ValidBytes(r) || !gjson.ParseBytes(r).IsObject() {
		return fmt.Errorf("the function did not return the event, a JSON object; Cognito answers \"Unrecognizable lambda output\" (facts §2.3): %.200s", r)
	}
	resp := gjson.GetBytes(r, "response")
	if !resp.IsObject() {
		return fmt.Errorf("the returned event's \"response\" is %s, not an object (facts §1.1)", describe(resp))
	}
	for _, f := range []string{"autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone"} {
		if v := resp.Get(f); v.Exists() && v.Type != gjson.True && v.Type != gjson.False {
			return fmt.Errorf("the returned response.%s is %s, not a boolean (facts §1.2)", f, describe(v))
		}
	}
	return nil
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

// keptOrRefused checks the alias-safe promise for one value: another user
// holds it verified, so the new user must not get it verified. Leaving it
// unverified and refusing the sign-up both keep that promise.
func (st *scenario) keptOrRefused(what string) error {
	if st.obs == nil {
		return errors.New("the sign-up has not been sent")
	}
	if st.obs.Refused {
		return nil
	}
	got, flag, err := st.verifyFlag(what)
	if err != nil {
		return err
	}
	if *got {
		return fmt.Errorf("%s is set although another user holds this %s verified: Cognito moves the alias to the new user and unverifies it for the other (facts §4.1)", flag, what)
	}
	return nil
}
