package targets

import (
	"fmt"
	"testing"
)

// TestAnswerRefusalThroughAPool: the texts AnswerRefusal gives are read
// back from a pool's UserLambdaValidationException, as cognito-local wraps
// them, as an answer Cognito fails, not as the handler's refusal.
func TestAnswerRefusalThroughAPool(t *testing.T) {
	for _, tt := range []struct {
		event string
		a     Answer
	}{
		{`{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"phone_number":"+15555550100"}}}`, Answer{Confirm: true, Email: true}},
		{`{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"email":"a@example.com"}}}`, Answer{Confirm: true, Phone: true}},
		{`{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"email":"a@example.com"}}}`, Answer{Email: true}},
	} {
		why := AnswerRefusal([]byte(tt.event), tt.a)
		if why == "" {
			t.Fatalf("%s with %+v: no refusal", tt.event, tt.a)
		}
		obs := refusedAtPool(&Observation{}, fmt.Sprintf("PreSignUp failed with error %s.", why))
		if !answerRefused.MatchString(obs.Message) || obs.Failure == "" || obs.Unreadable == "" {
			t.Errorf("%q read as %+v", why, obs)
		}
	}
	if why := AnswerRefusal([]byte(`{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"email":"a@example.com"}}}`), Answer{Confirm: true, Email: true}); why != "" {
		t.Errorf("a verified email the user gave: %s", why)
	}
	if answerRefused.MatchString("PreSignUp failed with error Sign-up is open only to staff.") {
		t.Error("a handler's own refusal read as Cognito's")
	}
}
