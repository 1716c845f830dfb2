package handler

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"
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
// keeps a hostile payload from driving the recursive validator deep.
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
	closeBrace int  // index of the root object's closing brace
	emptyRoot  bool // the root object has no members
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

// parse reads the fields the handler needs in one pass per level, without
// decoding the rest, so unknown fields survive untouched.
func parse(payload []byte) (event, error) {
	ev := event{respStart: -1}
	if len(payload) == 0 {
		return ev, invalid("the payload is empty; expected a JSON object")
	}
	if tooDeep(payload) {
		return ev, invalid("JSON nests more than %d levels", maxDepth)
	}
	if !gjson.ValidBytes(payload) {
		return ev, invalid("the payload is not valid JSON")
	}
	js := unsafe.String(&payload[0], len(payload))
	root := gjson.Parse(js)
	if !root.IsObject() {
		return ev, invalid("the payload must be a JSON object, got %s", kind(root))
	}
	var seen int
	var request gjson.Result
	var members int
	var dup string
	root.ForEach(func(k, v gjson.Result) bool {
		members++
		bit := 0
		switch k.Str {
		case "triggerSource":
			bit = kSource
			if v.Type == gjson.String {
				ev.source = v.Str
			} else {
				ev.source = "\x00" + kind(v)
			}
		case "userPoolId":
			bit, ev.poolID = kPool, v.Str
		case "userName":
			bit, ev.userName = kUser, v.Str
		case "request":
			bit, request = kRequest, v
		case "response":
			bit = kResponse
			ev.respStart, ev.respEnd = v.Index, v.Index+len(v.Raw)
		}
		if seen&bit != 0 {
			dup = k.Str
			return false
		}
		seen |= bit
		return true
	})
	if dup != "" {
		return ev, invalid("the key %q appears twice", dup)
	}
	ev.emptyRoot = members == 0
	ev.closeBrace = root.Index + strings.LastIndexByte(root.Raw, '}')
	if seen&kSource == 0 {
		return ev, invalid(`"triggerSource" is missing; Cognito always sends it, so this payload did not come from a Cognito trigger`)
	}
	if strings.HasPrefix(ev.source, "\x00") {
		return ev, invalid(`"triggerSource" must be a string, got %s`, ev.source[1:])
	}
	if err := parseRequest(&ev, request); err != nil {
		return ev, err
	}
	return ev, nil
}

// parseRequest reads request.userAttributes. A missing or null request or
// userAttributes is allowed: the user is confirmed and nothing is verified.
func parseRequest(ev *event, request gjson.Result) error {
	if !request.Exists() || request.Type == gjson.Null {
		return nil
	}
	if !request.IsObject() {
		return invalid(`"request" must be an object, got %s`, kind(request))
	}
	var ua gjson.Result
	var dup bool
	request.ForEach(func(k, v gjson.Result) bool {
		if k.Str == "userAttributes" {
			if ua.Exists() {
				dup = true
				return false
			}
			ua = v
		}
		return true
	})
	if dup {
		return invalid(`the key "userAttributes" appears twice in "request"`)
	}
	if !ua.Exists() || ua.Type == gjson.Null {
		return nil
	}
	if !ua.IsObject() {
		return invalid(`"request.userAttributes" must be an object, got %s`, kind(ua))
	}
	var dupKey string
	ua.ForEach(func(k, v gjson.Result) bool {
		var a *attr
		switch k.Str {
		case AttrEmail:
			a = &ev.email
		case AttrPhone:
			a = &ev.phone
		case "sub":
			ev.sub = v.Str
			return true
		default:
			return true
		}
		if a.present {
			dupKey = k.Str
			return false
		}
		a.present, a.isStr, a.value = true, v.Type == gjson.String, v.Str
		return true
	})
	if dupKey != "" {
		return invalid(`the attribute %q appears twice in "request.userAttributes"`, dupKey)
	}
	return nil
}

// kind names a JSON value's type for error messages.
func kind(r gjson.Result) string {
	switch {
	case !r.Exists():
		return "nothing"
	case r.IsObject():
		return "an object"
	case r.IsArray():
		return "an array"
	}
	switch r.Type {
	case gjson.Null:
		return "null"
	case gjson.String:
		return "a string"
	case gjson.Number:
		return "a number"
	default:
		return "a boolean"
	}
}

// tooDeep reports whether the payload nests deeper than maxDepth, counting
// brackets outside strings. It runs before validation so that no recursive
// parser ever sees a hostile depth.
func tooDeep(b []byte) bool {
	// Fewer opening brackets than the bound cannot nest past it: this
	// vectorised count settles every real event without the byte loop.
	if bytes.Count(b, []byte{'{'})+bytes.Count(b, []byte{'['}) <= maxDepth {
		return false
	}
	depth, inStr := 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
			if depth > maxDepth {
				return true
			}
		case '}', ']':
			depth--
		}
	}
	return false
}
