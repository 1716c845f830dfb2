package targets

import (
	"fmt"
	"regexp"

	"github.com/tidwall/gjson"
)

// VerifyWithoutConfirmText is Cognito's text for an answer that sets a
// verify flag without autoConfirmUser (rules §2).
const VerifyWithoutConfirmText = "Phone or email cannot be auto verified, when user is not being auto confirmed."

// verifyAbsentText is the text for a verify flag whose attribute the user
// did not give (rules §3): Cognito's own text for it is not documented, so
// this one says so.
const verifyAbsentText = "%s is set, but the user gave no %s: Cognito refuses the sign-up (rules §3; Cognito's own text for this is not documented)"

// answerRefused matches the texts AnswerRefusal gives, as a pool passes
// them on inside its own message.
var answerRefused = regexp.MustCompile(`Phone or email cannot be auto verified, when user is not being auto confirmed|is set, but the user gave no (?:email|phone_number): Cognito refuses the sign-up \(rules §3`)

// AnswerRefusal says why Cognito refuses an answer it can read, judged
// against the event it answers, or "": a verify flag without
// autoConfirmUser (rules §2), or for an attribute the user did not give
// (rules §3). Cognito ignores the flags on AdminCreateUser (rules §6).
func AnswerRefusal(event []byte, a Answer) string {
	if gjson.GetBytes(event, "triggerSource").String() == "PreSignUp_AdminCreateUser" {
		return ""
	}
	if (a.Email || a.Phone) && !a.Confirm {
		return VerifyWithoutConfirmText
	}
	attrs := gjson.GetBytes(event, "request.userAttributes")
	switch {
	case a.Email && !attrs.Get("email").Exists():
		return fmt.Sprintf(verifyAbsentText, "autoVerifyEmail", "email")
	case a.Phone && !attrs.Get("phone_number").Exists():
		return fmt.Sprintf(verifyAbsentText, "autoVerifyPhone", "phone_number")
	}
	return ""
}

// refusedAtPool is a sign-up the pool failed because Cognito does not take
// the answer the function gave (AnswerRefusal): the function answered, it
// did not err, so it is marked as an answer Cognito fails, not as a refusal.
func refusedAtPool(obs *Observation, message string) *Observation {
	obs.Refused, obs.Message = true, message
	obs.Unreadable = "the pool refused the answer: " + message
	obs.Failure = "Cognito refuses the answer: Cognito fails the sign-up"
	return obs
}
