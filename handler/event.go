package handler

import (
	"errors"
	"fmt"
	"strings"
)

// The trigger sources of the pre sign-up trigger.
const (
	SourceSignUp           = "PreSignUp_SignUp"
	SourceAdminCreateUser  = "PreSignUp_AdminCreateUser"
	SourceExternalProvider = "PreSignUp_ExternalProvider"
)

// ErrInvalidEvent wraps every refusal of a payload that is not a usable
// pre sign-up event.
var ErrInvalidEvent = errors.New("invalid pre sign-up event")

// EventError is returned for a payload the handler cannot use. Its type name
// becomes the Lambda errorType, and its message is what Cognito shows after
// "PreSignUp failed with error".
type EventError struct{ msg string }

func (e *EventError) Error() string { return e.msg }

// Unwrap lets callers test errors.Is(err, ErrInvalidEvent).
func (e *EventError) Unwrap() error { return ErrInvalidEvent }

func invalid(format string, args ...any) error {
	return &EventError{msg: "invalid pre sign-up event: " + fmt.Sprintf(format, args...)}
}

// maxDepth bounds JSON nesting. A Cognito event nests three levels; the bound
// keeps a hostile payload from driving the recursive scanner deep.
const maxDepth = 64

// attr is one attribute as found in the event.
type attr struct {
	value   string
	present bool // the key exists
	isStr   bool // and its value is a JSON string
}

// event is what the handler reads from a payload. Strings alias the payload.
type event struct {
	source     string
	poolID     string
	userName   string
	email      attr
	phone      attr
	sub        string
	respStart  int // byte range of the response value, or -1
	respEnd    int
	closeBrace int    // index of the root object's closing brace
	emptyRoot  bool   // the root object has no members
	dup        string // the first refused duplicate, described
}

// Bits for the keys whose duplicates the handler refuses: parsers disagree on
// which duplicate wins, and that disagreement must not pick a flag.
const (
	kSource = 1 << iota
	kPool
	kUser
	kRequest
	kResponse
)

// parse reads the fields the handler needs in one pass, without decoding the
// rest, so unknown fields survive untouched.
func parse(payload []byte) (event, error) {
	ev := event{respStart: -1}
	if len(payload) == 0 {
		return ev, invalid("the payload is empty; expected a JSON object")
	}
	s := scanner{b: payload, ev: &ev}
	s.skipSpace()
	if s.i == len(payload) {
		return ev, invalid("the payload is not valid JSON")
	}
	first := payload[s.i]
	if first == '{' {
		s.object(atRoot)
	} else {
		s.value(elsewhere, "")
	}
	if s.err == nil {
		if s.skipSpace(); s.i != len(payload) {
			s.err = errSyntax
		}
	}
	switch s.err {
	case errDepth:
		return ev, invalid("JSON nests more than %d levels", maxDepth)
	case errSyntax:
		return ev, invalid("the payload is not valid JSON")
	}
	if first != '{' {
		return ev, invalid("the payload must be a JSON object, got %s", kindOf(first))
	}
	if ev.dup != "" {
		return ev, invalid("%s", ev.dup)
	}
	if s.seen&kSource == 0 {
		return ev, invalid(`"triggerSource" is missing; Cognito always sends it, so this payload did not come from a Cognito trigger`)
	}
	if strings.HasPrefix(ev.source, "\x00") {
		return ev, invalid(`"triggerSource" must be a string, got %s`, ev.source[1:])
	}
	// A missing or null request or userAttributes is allowed: the user is
	// confirmed and nothing is verified.
	if k := s.requestKind; k != 0 && k != '{' && k != 'n' {
		return ev, invalid(`"request" must be an object, got %s`, kindOf(k))
	}
	if k := s.attrsKind; k != 0 && k != '{' && k != 'n' {
		return ev, invalid(`"request.userAttributes" must be an object, got %s`, kindOf(k))
	}
	return ev, nil
}
