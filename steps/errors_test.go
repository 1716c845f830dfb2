package steps

import (
	"testing"

	"github.com/autoconfirm/autoconfirm/harness/targets"
)

func TestControlOf(t *testing.T) {
	cases := []struct {
		name     string
		obs      targets.Observation
		accepted bool
		says     string
	}{
		{name: "accepted", obs: targets.Observation{}, accepted: true, says: "accepted"},
		{name: "refused", obs: targets.Observation{Refused: true, Message: "no"}, says: "refused: no"},
		{name: "timed out", obs: targets.Observation{Refused: true, Failure: "timed out", Message: "x"}, says: "failed: timed out: x"},
		{name: "an answer Cognito cannot read", obs: targets.Observation{Refused: true, Failure: "f", Unreadable: "it is cut off", Message: "m"}, says: "failed: it is cut off"},
	}
	for _, c := range cases {
		got := controlOf(&c.obs)
		if got.Accepted != c.accepted || got.String() != c.says {
			t.Errorf("%s: accepted %t, %q; want %t, %q", c.name, got.Accepted, got.String(), c.accepted, c.says)
		}
	}
}

func TestErrorOf(t *testing.T) {
	if _, ok := errorOf(&targets.Observation{Refused: true, Failure: "f", Unreadable: "cut off"}); ok {
		t.Error("an answer Cognito cannot read is not a function error")
	}
	if _, ok := errorOf(&targets.Observation{}); ok {
		t.Error("an accepted sign-up is not a function error")
	}
	e, ok := errorOf(&targets.Observation{Refused: true, ErrorType: "KeyError", Message: "'email'"})
	if !ok || e.Crash == "" || e.Type != "KeyError" {
		t.Errorf("a KeyError: %+v, %t", e, ok)
	}
	e, ok = errorOf(&targets.Observation{Refused: true, ErrorType: "Exception", Message: "staff only"})
	if !ok || e.Crash != "" {
		t.Errorf("a refusal: %+v, %t", e, ok)
	}
	e, _ = errorOf(&targets.Observation{Refused: true, ErrorType: "string", Message: "EmailExistsException"})
	if e.Crash != "" {
		t.Errorf("Node.js's callback('text') is a refusal: %+v", e)
	}
	e, _ = errorOf(&targets.Observation{Refused: true, ErrorType: "string", Message: "no email", Panicked: true})
	if e.Crash != targets.PanicCrash {
		t.Errorf("a Go panic(\"text\") is a crash: %+v", e)
	}
	e, _ = errorOf(&targets.Observation{Refused: true, Failure: "timed out: Cognito fails the sign-up", Message: "Socket timeout"})
	if e.Crash == "" {
		t.Error("a timeout is not the handler's refusal")
	}
}
