package targets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// RuleAnswer is the section of docs/cognito-rules.md that says how an answer
// is read and how a refusal is told from a crash; messages cite it.
const RuleAnswer = "rules §11"

// Answer is a pre sign-up answer as Cognito reads it: the three flags, each
// set only when the answer says true.
type Answer struct {
	Confirm, Email, Phone bool
}

// AnswerError says why Cognito cannot read an answer. Flag names the
// response flag at fault, when one is.
type AnswerError struct {
	Flag, Why string
}

func (e *AnswerError) Error() string { return e.Why }

// ReadAnswer reads a handler's answer as Cognito does, whole, before any flag:
// it must be JSON with no member twice in any object, an object whose
// "response" is an object, whose flags, where present, are booleans (rules §1
// and RuleAnswer). Every target and diff read answers with it, so a cut-off
// answer fails the sign-up wherever it is seen.
func ReadAnswer(raw []byte) (Answer, error) {
	if !json.Valid(raw) {
		return Answer{}, &AnswerError{Why: fmt.Sprintf("the answer is not JSON (%s); Cognito fails the sign-up: \"Invalid lambda function output : Invalid JSON\" (rules §1)", notJSON(raw))}
	}
	if path, err := duplicateMember(raw); err != nil || path != "" {
		if err != nil {
			return Answer{}, &AnswerError{Why: fmt.Sprintf("the answer could not be read: %v (rules §1)", err)}
		}
		return Answer{}, &AnswerError{Why: fmt.Sprintf("the answer holds the member %s twice; how Cognito reads a duplicate member is not documented, so the answer is judged one Cognito may refuse (%s)", path, RuleAnswer)}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || top == nil {
		return Answer{}, &AnswerError{Why: "the function did not return the event, a JSON object; Cognito answers \"Unrecognizable lambda output\" (rules §1)"}
	}
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(top["response"], &resp); err != nil || resp == nil {
		return Answer{}, &AnswerError{Why: fmt.Sprintf("the returned event's \"response\" is %s, not an object; Cognito answers \"Unrecognizable lambda output\" (rules §1)", kindOf(top["response"]))}
	}
	var a Answer
	for _, f := range []struct {
		name string
		to   *bool
	}{{"autoConfirmUser", &a.Confirm}, {"autoVerifyEmail", &a.Email}, {"autoVerifyPhone", &a.Phone}} {
		v, ok := resp[f.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(v, f.to); err != nil || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			return Answer{}, &AnswerError{Flag: f.name, Why: fmt.Sprintf("the returned response.%s is %s, not a boolean; Cognito refuses the answer (rules §1)", f.name, kindOf(v))}
		}
	}
	return a, nil
}

// notJSON says how raw fails to be JSON, without quoting it: it may hold
// personal data.
func notJSON(raw []byte) string {
	var v any
	err := json.Unmarshal(raw, &v)
	var syn *json.SyntaxError
	switch {
	case len(bytes.TrimSpace(raw)) == 0:
		return "it is empty"
	case errors.As(err, &syn) && syn.Offset >= int64(len(raw)):
		return fmt.Sprintf("it is cut off after %d bytes", len(raw))
	case err != nil && err.Error() == "unexpected end of JSON input":
		return fmt.Sprintf("it is cut off after %d bytes", len(raw))
	case errors.As(err, &syn):
		return fmt.Sprintf("a syntax error at byte %d of %d", syn.Offset, len(raw))
	}
	return "it is not valid UTF-8 JSON"
}

// kindOf names a JSON value for a message, without quoting personal data.
func kindOf(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0:
		return "absent"
	case v[0] == '{':
		return "an object"
	case v[0] == '[':
		return "an array"
	case v[0] == '"':
		return "a string"
	case string(v) == "null":
		return "null"
	case string(v) == "true" || string(v) == "false":
		return "a boolean"
	}
	return "a number"
}

// duplicateMember walks valid JSON token by token and returns the path of
// the first member that an object holds twice, such as "response" or
// "response.autoConfirmUser"; "" when there is none. Names compare after
// unescaping, as a parser sees them.
func duplicateMember(raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	type frame struct {
		object bool
		seen   map[string]bool
		path   string
		key    bool // the next string token is a member name
	}
	var stack []*frame
	path := func(name string) string {
		if len(stack) == 0 || stack[len(stack)-1].path == "" {
			return fmt.Sprintf("%q", name)
		}
		return fmt.Sprintf("%s.%q", stack[len(stack)-1].path, name)
	}
	var pending string // the path of the value about to open
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				stack = append(stack, &frame{object: t == '{', seen: map[string]bool{}, path: pending, key: t == '{'})
				continue
			}
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].key = true
			}
			continue
		case string:
			if top != nil && top.object && top.key {
				if top.seen[t] {
					return path(t), nil
				}
				top.seen[t] = true
				top.key = false
				pending = path(t)
				continue
			}
		}
		if top != nil && top.object {
			top.key = true
		}
	}
}
