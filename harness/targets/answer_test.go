package targets

import (
	"errors"
	"strings"
	"testing"
)

func TestReadAnswer(t *testing.T) {
	cases := []struct {
		name, raw string
		want      Answer
		why, flag string // why is in the error; "" for none
	}{
		{name: "the event, confirmed", raw: `{"response":{"autoConfirmUser":true,"autoVerifyEmail":false}}`, want: Answer{Confirm: true}},
		{name: "all three", raw: `{"a":[{"x":1},{"x":2}],"response":{"autoConfirmUser":true,"autoVerifyEmail":true,"autoVerifyPhone":true}}`, want: Answer{true, true, true}},
		{name: "no flag", raw: `{"response":{}}`},
		{name: "cut off", raw: `{"response": {"autoConfirmUser": true`, why: "cut off after 37 bytes"},
		{name: "empty", raw: ``, why: "it is empty"},
		{name: "not JSON", raw: `{"response": {"autoConfirmUser": yes}}`, why: "syntax error"},
		{name: "trailing bytes", raw: `{"response":{}} {}`, why: "not JSON"},
		{name: "a string", raw: `"{\"response\":{\"autoConfirmUser\":true}}"`, why: "Unrecognizable lambda output"},
		{name: "null", raw: `null`, why: "Unrecognizable lambda output"},
		{name: "response missing", raw: `{"request":{}}`, why: `"response" is absent`},
		{name: "response an array", raw: `{"response":[]}`, why: "an array"},
		{name: "a flag as a string", raw: `{"response":{"autoConfirmUser":"true"}}`, why: "not a boolean", flag: "autoConfirmUser"},
		{name: "a flag null", raw: `{"response":{"autoVerifyEmail":null}}`, why: "null, not a boolean", flag: "autoVerifyEmail"},
		{name: "two responses", raw: `{"response":{"autoConfirmUser":false},"response":{"autoConfirmUser":true}}`, why: `member "response" twice`},
		{name: "a flag twice", raw: `{"response":{"autoConfirmUser":false,"autoConfirmUser":true}}`, why: `"response"."autoConfirmUser" twice`},
		{name: "twice, once escaped", raw: `{"response":{},"respons\u0065":{}}`, why: `"response" twice`},
		{name: "twice, deep", raw: `{"request":{"userAttributes":{"email":"a","email":"b"}},"response":{}}`, why: `"request"."userAttributes"."email" twice`},
		{name: "one name in two objects is no duplicate", raw: `{"a":{"x":1},"b":{"x":1},"response":{"x":[{"x":1}]}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadAnswer([]byte(c.raw))
			if c.why == "" {
				if err != nil || got != c.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
				}
				return
			}
			var ae *AnswerError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), c.why) || ae.Flag != c.flag {
				t.Fatalf("got %+v, %v; want an error saying %q, flag %q", got, err, c.why, c.flag)
			}
			if got != (Answer{}) {
				t.Errorf("an answer Cognito cannot read set flags: %+v", got)
			}
		})
	}
}

// TestUnreadableAnswerFailsTheSignUp: the flags an unreadable answer seems
// to hold are never read, and one Cognito reads but does not take (rules
// §2, §3) fails the sign-up at this depth as the pool fails it.
func TestUnreadableAnswerFailsTheSignUp(t *testing.T) {
	phoneOnly := []byte(`{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"phone_number":"+15555550100"}}}`)
	admin := []byte(`{"triggerSource":"PreSignUp_AdminCreateUser","request":{"userAttributes":{"phone_number":"+15555550100"}}}`)
	for _, c := range []struct {
		name, answer string
		event        []byte
		fails        bool
	}{
		{"cut off", `{"response": {"autoConfirmUser": true`, phoneOnly, true},
		{"whole", `{"response":{"autoConfirmUser":true}}`, phoneOnly, false},
		{"verify without confirm (§2)", `{"response":{"autoConfirmUser":false,"autoVerifyPhone":true}}`, phoneOnly, true},
		{"verify an absent email (§3)", `{"response":{"autoConfirmUser":true,"autoVerifyEmail":true}}`, phoneOnly, true},
		{"verify the phone given", `{"response":{"autoConfirmUser":true,"autoVerifyPhone":true}}`, phoneOnly, false},
		{"flags ignored on AdminCreateUser (§6)", `{"response":{"autoVerifyEmail":true}}`, admin, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			obs := &Observation{Response: []byte(c.answer)}
			obs.readAnswer(c.event)
			failed := obs.Refused && obs.Failure != "" && obs.Unreadable != ""
			if failed != c.fails {
				t.Fatalf("read as %+v; want the sign-up failed: %v", obs, c.fails)
			}
		})
	}
}

func TestCrashOf(t *testing.T) {
	cases := []struct {
		typ, msg string
		crash    bool
	}{
		{"Error", "Sign-up is open only to staff", false},
		{"Exception", "Sign-up is open only to staff", false},
		{"RuntimeError", "the sign-up service is not configured", false},
		{"ValueError", "not allowed", false},
		{"errorString", "refused", false},
		{"SignUpRefused", "refused", false},
		// Node.js's callback('EmailExistsException'): a refusal; a Go
		// panic("text") has the same type, and is told by its stack (GoPanic).
		{"string", "EmailExistsException", false},
		{"object", "[object Object]", false},
		{"", "PreSignUp failed with error refused.", false},
		{"InvalidParameterException", "An error occurred (InvalidParameterException) when calling the ListUsers operation: Error while parsing filter.", true},
		{"ResourceNotFoundException", "User pool us-east-1_x does not exist.", true},
		{"TooManyRequestsException", "Rate exceeded", true},
		{"ClientError", "An error occurred", true},
		{"TypeError", "Cannot read properties of undefined (reading 'email')", true},
		{"KeyError", "'email'", true},
		{"ReferenceError", "x is not defined", true},
		{"boundsError", "runtime error: index out of range [1] with length 1", true},
		{"errorString", "runtime error: invalid memory address or nil pointer dereference", true},
		{"", "runtime error: index out of range [1] with length 1", true},
		{"wrapError", "lookup: operation error Cognito Identity Provider: ListUsers, https response error StatusCode: 400", true},
		{"Runtime.ExitError", "RequestId: x Error: Runtime exited with error: exit status 2", true},
		{"Runtime.UnhandledPromiseRejection", "boom", true},
		{"Sandbox.Timedout", "Task timed out after 3.00 seconds", true},
		{"Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size", true},
	}
	for _, c := range cases {
		if got := CrashOf(c.typ, c.msg); (got != "") != c.crash {
			t.Errorf("CrashOf(%q, %q) = %q, want a crash: %t", c.typ, c.msg, got, c.crash)
		}
	}
}

// TestGoPanic: the bodies the runtimes report a function error with, as
// their runtime interface clients write them (aws-lambda-go 1.55.1's
// lambdaPanicResponse and InvokeResponse_Error, aws-lambda-ric 3 and 4's
// toRapidResponse, the Python bootstrap's traceback.format_tb): only
// aws-lambda-go's panic carries stack frames.
func TestGoPanic(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		panic      bool
	}{
		{"Go panic(\"text\")", `{"errorMessage":"no email","errorType":"string","stackTrace":[{"path":"github.com/aws/aws-lambda-go@v1.55.1/lambda/errors.go","line":39,"label":"lambdaPanicResponse"},{"path":"main.go","line":21,"label":"handler"}]}`, true},
		{"Go panic(errors.New)", `{"errorMessage":"refused","errorType":"errorString","stackTrace":[{"path":"main.go","line":21,"label":"handler"}]}`, true},
		{"Go returned error", `{"errorMessage":"Rejected signing up","errorType":"errorString"}`, false},
		{"Node.js callback('text')", `{"errorType":"string","errorMessage":"EmailExistsException","trace":[]}`, false},
		{"Node.js Error", `{"errorType":"Error","errorMessage":"no","trace":["Error: no","    at Runtime.handler (file:///var/task/index.mjs:3:9)"]}`, false},
		{"Python exception", `{"errorMessage":"'email'","errorType":"KeyError","requestId":"r","stackTrace":["  File \"/var/task/lambda_function.py\", line 3, in lambda_handler\n"]}`, false},
		{"not JSON", `{"errorType":`, false},
	} {
		if got := GoPanic([]byte(tt.body)); got != tt.panic {
			t.Errorf("%s: GoPanic = %t, want %t", tt.name, got, tt.panic)
		}
	}
}
