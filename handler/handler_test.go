package handler

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/presignup"
)

func newAllow(t *testing.T) *Handler {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Policy = PolicyAllow
	h, err := New(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

const signUpTmpl = `{"version":"1","triggerSource":"%s","region":"us-east-1","userPoolId":"us-east-1_X","userName":"u","callerContext":{"awsSdkVersion":"v","clientId":"c"},"request":{"userAttributes":{%s},"validationData":null},"response":{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false}}`

func mkEvent(source, attrs string) []byte {
	return []byte(strings.Replace(strings.Replace(signUpTmpl, "%s", source, 1), "%s", attrs, 1))
}

func TestInvokeFlags(t *testing.T) {
	tests := []struct {
		name                  string
		source, attrs         string
		confirm, email, phone bool
	}{
		{"email only", presignup.SourceSignUp, `"email":"a@example.com"`, true, true, false},
		{"phone only", presignup.SourceSignUp, `"phone_number":"+15555550100"`, true, false, true},
		{"both", presignup.SourceSignUp, `"email":"a@example.com","phone_number":"+15555550100"`, true, true, true},
		{"neither", presignup.SourceSignUp, `"given_name":"A"`, true, false, false},
		{"empty email", presignup.SourceSignUp, `"email":""`, true, false, false},
		{"whitespace email", presignup.SourceSignUp, `"email":"  \t"`, true, false, false},
		{"empty phone", presignup.SourceSignUp, `"phone_number":""`, true, false, false},
		{"local phone", presignup.SourceSignUp, `"phone_number":"5550100"`, true, false, false},
		{"phone +0", presignup.SourceSignUp, `"phone_number":"+05555550100"`, true, false, false},
		{"phone with dashes", presignup.SourceSignUp, `"phone_number":"+1-555-555-0100"`, true, false, false},
		{"email as number", presignup.SourceSignUp, `"email":42`, true, false, false},
		{"email as null", presignup.SourceSignUp, `"email":null,"phone_number":"+15555550100"`, true, false, true},
		{"email as object", presignup.SourceSignUp, `"email":{"v":"a@example.com"}`, true, false, false},
		{"escaped key", presignup.SourceSignUp, `"em\u0061il":"a@example.com"`, true, true, false},
		{"external provider", presignup.SourceExternalProvider, `"email":"a@example.com","phone_number":"+15555550100"`, true, false, false},
	}
	h := newAllow(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := lambda.NewHandler(h).Invoke(context.Background(), mkEvent(tt.source, tt.attrs))
			if err != nil {
				t.Fatal(err)
			}
			r := gjson.GetBytes(out, "response")
			got := [3]bool{r.Get("autoConfirmUser").Bool(), r.Get("autoVerifyEmail").Bool(), r.Get("autoVerifyPhone").Bool()}
			if want := [3]bool{tt.confirm, tt.email, tt.phone}; got != want {
				t.Errorf("flags = %v, want %v (response %s)", got, want, r.Raw)
			}
		})
	}
}

// TestSpliceKeepsEveryOtherByte checks the raw-bytes design: only the response
// value changes, whatever the formatting.
func TestSpliceKeepsEveryOtherByte(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"pretty",
			"{\n  \"triggerSource\": \"PreSignUp_SignUp\",\n  \"request\": {\"userAttributes\": {\"email\": \"a@example.com\"}},\n  \"response\": {\n    \"autoConfirmUser\": false\n  },\n  \"zz\": [1, 2]\n}\n",
			"{\n  \"triggerSource\": \"PreSignUp_SignUp\",\n  \"request\": {\"userAttributes\": {\"email\": \"a@example.com\"}},\n  \"response\": {\"autoConfirmUser\":true,\"autoVerifyEmail\":true,\"autoVerifyPhone\":false},\n  \"zz\": [1, 2]\n}\n"},
		{"no response member",
			`{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{}}}`,
			`{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{}},"response":{"autoConfirmUser":true,"autoVerifyEmail":false,"autoVerifyPhone":false}}`},
		{"response null",
			`{"response":null,"triggerSource":"PreSignUp_SignUp"}`,
			`{"response":{"autoConfirmUser":true,"autoVerifyEmail":false,"autoVerifyPhone":false},"triggerSource":"PreSignUp_SignUp"}`},
		{"response empty object (the article)",
			`{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"email":"","phone_number":"5550100"}},"response":{}}`,
			`{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"email":"","phone_number":"5550100"}},"response":{"autoConfirmUser":true,"autoVerifyEmail":false,"autoVerifyPhone":false}}`},
		{"response array",
			`{"triggerSource":"PreSignUp_ExternalProvider","response":[true]}`,
			`{"triggerSource":"PreSignUp_ExternalProvider","response":{"autoConfirmUser":true,"autoVerifyEmail":false,"autoVerifyPhone":false}}`},
		{"nested response is not the response",
			`{"triggerSource":"PreSignUp_SignUp","request":{"response":1}}`,
			`{"triggerSource":"PreSignUp_SignUp","request":{"response":1},"response":{"autoConfirmUser":true,"autoVerifyEmail":false,"autoVerifyPhone":false}}`},
		{"admin create user is echoed",
			`{"triggerSource":"PreSignUp_AdminCreateUser","request":{"userAttributes":{"email":"a@example.com"}},"response":{"autoConfirmUser":false}}`,
			`{"triggerSource":"PreSignUp_AdminCreateUser","request":{"userAttributes":{"email":"a@example.com"}},"response":{"autoConfirmUser":false}}`},
	}
	h := newAllow(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out, tt.want)
			}
		})
	}
}

func TestInvokeRefusesBadEvents(t *testing.T) {
	tests := []struct{ name, in, msg string }{
		{"empty", ``, "invalid pre sign-up event: the payload is empty; expected a JSON object"},
		{"not json", `{"triggerSource":`, "invalid pre sign-up event: the payload is not valid JSON"},
		{"null", `null`, "invalid pre sign-up event: the payload must be a JSON object, got null"},
		{"array", `[{"triggerSource":"PreSignUp_SignUp"}]`, "invalid pre sign-up event: the payload must be a JSON object, got an array"},
		{"no source", `{"request":{}}`, `invalid pre sign-up event: "triggerSource" is missing; Cognito always sends it, so this payload did not come from a Cognito trigger`},
		{"source number", `{"triggerSource":7}`, `invalid pre sign-up event: "triggerSource" must be a string, got a number`},
		{"request array", `{"triggerSource":"PreSignUp_SignUp","request":[]}`, `invalid pre sign-up event: "request" must be an object, got an array`},
		{"attrs array", `{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":["email"]}}`, `invalid pre sign-up event: "request.userAttributes" must be an object, got an array`},
		// encoding/json's validator refuses nesting past 10000 levels.
		{"too deep", `{"triggerSource":"PreSignUp_SignUp","x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, "invalid pre sign-up event: the payload is not valid JSON"},
		{"raw NUL", "{\"triggerSource\":\"PreSignUp_SignUp\",\"userName\":\"a\x00b\"}", "invalid pre sign-up event: the payload is not valid JSON"},
		{"wrong family", `{"triggerSource":"PostConfirmation_ConfirmSignUp"}`, `unsupported triggerSource "PostConfirmation_ConfirmSignUp": this function is the pre sign-up trigger and handles only PreSignUp_SignUp, PreSignUp_AdminCreateUser and PreSignUp_ExternalProvider; it is wired to the wrong Cognito trigger`},
	}
	h := newAllow(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), []byte(tt.in))
			if err == nil {
				t.Fatalf("accepted, answered %s", out)
			}
			if err.Error() != tt.msg {
				t.Errorf("error\n got %q\nwant %q", err, tt.msg)
			}
			var ee *EventError
			if !errors.As(err, &ee) {
				t.Errorf("error type %T, want *EventError", err)
			}
		})
	}
}

func TestMissingRequestConfirmsOnly(t *testing.T) {
	h := newAllow(t)
	for _, in := range []string{
		`{"triggerSource":"PreSignUp_SignUp"}`,
		`{"triggerSource":"PreSignUp_SignUp","request":null}`,
		`{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":null}}`,
		`{"triggerSource":"PreSignUp_SignUp","request":{}}`,
	} {
		out, err := h.Invoke(context.Background(), []byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := gjson.GetBytes(out, "response").Raw; got != `{"autoConfirmUser":true,"autoVerifyEmail":false,"autoVerifyPhone":false}` {
			t.Errorf("%s: response %s", in, got)
		}
	}
}

func TestInvokeDoesNotModifyInput(t *testing.T) {
	h := newAllow(t)
	in := mkEvent(presignup.SourceSignUp, `"email":"a@example.com"`)
	keep := bytes.Clone(in)
	if _, err := h.Invoke(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in, keep) {
		t.Error("Invoke modified its input")
	}
}

func TestNewNeedsListerForLookups(t *testing.T) {
	if _, err := New(DefaultConfig(), nil, nil); err == nil {
		t.Error("New accepted skip-verify without a lister")
	}
}
