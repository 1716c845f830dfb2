package handler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/presignup"
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

// attr is one attribute as found in the event.
type attr struct {
	value   string
	present bool // the key exists
	isStr   bool // and its value is a JSON string
}

// event is what the handler reads from a payload.
type event struct {
	source     string
	poolID     string
	userName   string
	email      attr
	phone      attr
	sub        string
	respStart  int // byte range of the response value, or -1
	respEnd    int
	closeBrace int  // index of the root object's closing brace
	emptyRoot  bool // the root object has no members
}

// parse validates the payload with encoding/json, whose validator is
// iterative and refuses absurd nesting, and reads the few members the
// handler needs with gjson. Nothing else is decoded, so unknown fields
// survive untouched. A key given twice is read as gjson reads it, the first
// time: Cognito builds the event itself and never repeats a key.
func parse(payload []byte) (event, error) {
	ev := event{respStart: -1}
	if len(payload) == 0 {
		return ev, invalid("the payload is empty; expected a JSON object")
	}
	if !json.Valid(payload) {
		return ev, invalid("the payload is not valid JSON")
	}
	if bytes.TrimLeft(payload, " \t\r\n")[0] != '{' {
		return ev, invalid("the payload must be a JSON object, got %s", kindOf(gjson.ParseBytes(payload)))
	}
	fields := gjson.GetManyBytes(payload, "triggerSource", "userPoolId", "userName", "request", "response")
	source, request, response := fields[0], fields[3], fields[4]
	attrs := request.Get("userAttributes")
	switch {
	case !source.Exists():
		return ev, invalid(`"triggerSource" is missing; Cognito always sends it, so this payload did not come from a Cognito trigger`)
	case source.Type != gjson.String:
		return ev, invalid(`"triggerSource" must be a string, got %s`, kindOf(source))
	}
	// A missing or null request or userAttributes is allowed: the user is
	// confirmed and nothing is verified.
	if request.Exists() && !request.IsObject() && request.Type != gjson.Null {
		return ev, invalid(`"request" must be an object, got %s`, kindOf(request))
	}
	if attrs.Exists() && !attrs.IsObject() && attrs.Type != gjson.Null {
		return ev, invalid(`"request.userAttributes" must be an object, got %s`, kindOf(attrs))
	}
	ev.source, ev.poolID, ev.userName = source.Str, fields[1].Str, fields[2].Str
	if attrs.IsObject() {
		ev.email, ev.phone, ev.sub = attrOf(attrs.Get(presignup.AttrEmail)), attrOf(attrs.Get(presignup.AttrPhone)), attrs.Get("sub").Str
	}
	if response.Exists() {
		ev.respStart, ev.respEnd = response.Index, response.Index+len(response.Raw)
	}
	ev.closeBrace = bytes.LastIndexByte(payload, '}')
	ev.emptyRoot = len(bytes.TrimSpace(payload[bytes.IndexByte(payload, '{')+1:ev.closeBrace])) == 0
	return ev, nil
}

func attrOf(r gjson.Result) attr {
	return attr{value: r.Str, present: r.Exists(), isStr: r.Type == gjson.String}
}

// kindOf names a JSON value's type for an error message.
func kindOf(r gjson.Result) string {
	switch {
	case r.IsObject():
		return "an object"
	case r.IsArray():
		return "an array"
	case r.Type == gjson.String:
		return "a string"
	case r.Type == gjson.True, r.Type == gjson.False:
		return "a boolean"
	case r.Type == gjson.Null:
		return "null"
	}
	return "a number"
}
