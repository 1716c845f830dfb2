package stack

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPoolWatchReadsStrictly: the pool check reads a call as cognito-local
// will, or refuses it with Cognito's SerializationException and passes
// nothing on. The red team's two tricks (a second UserPoolId in another
// letter case, which Go's decoder takes and cognito-local ignores; a form,
// which Go cannot read and cognito-local can) and their kin are refused;
// a call it passes goes on as exactly the bytes it checked, as JSON 1.1.
func TestPoolWatchReadsStrictly(t *testing.T) {
	const own, other = "us-east-1_Local1", "us-east-1_OTHERPOOL"
	tests := []struct {
		name, op, contentType, encoding, body string
		want                                  string // the __type, or "passed"
	}{
		{"a second UserPoolId in another case (red team E2a)", "AdminUpdateUserAttributes", callContentType, "", `{"UserPoolId":"` + other + `","userPoolId":"` + own + `","Username":"u","UserAttributes":[]}`, "SerializationException"},
		{"a form (red team E2b)", "AdminUpdateUserAttributes", "application/x-www-form-urlencoded", "", "UserPoolId=" + other + "&Username=u", "SerializationException"},
		{"a form sent as JSON", "DescribeUserPool", callContentType, "", "UserPoolId=" + other, "SerializationException"},
		{"no Content-Type", "DescribeUserPool", "", "", `{"UserPoolId":"` + own + `"}`, "SerializationException"},
		{"a member twice", "DescribeUserPool", callContentType, "", `{"UserPoolId":"` + own + `","UserPoolId":"` + other + `"}`, "SerializationException"},
		{"a member twice, ſ for s as Go folds it", "DescribeUserPool", callContentType, "", `{"UserPoolId":"` + own + `","UſerPoolId":"` + other + `"}`, "SerializationException"},
		{"a member twice, one escaped", "DescribeUserPool", callContentType, "", `{"UserPoolId":"` + own + `","User\u0050oolId":"` + other + `"}`, "SerializationException"},
		{"a member twice inside a list", "AdminUpdateUserAttributes", callContentType, "", `{"UserPoolId":"` + own + `","Username":"u","UserAttributes":[{"Name":"a","name":"b","Value":"c"}]}`, "SerializationException"},
		{"two objects", "DescribeUserPool", callContentType, "", `{"UserPoolId":"` + own + `"}{"UserPoolId":"` + other + `"}`, "SerializationException"},
		{"a list", "DescribeUserPool", callContentType, "", `[{"UserPoolId":"` + own + `"}]`, "SerializationException"},
		{"a pool id that is no string", "DescribeUserPool", callContentType, "", `{"UserPoolId":{"id":"` + other + `"}}`, "SerializationException"},
		{"not UTF-8", "DescribeUserPool", callContentType, "", "{\"UserPoolId\":\"" + own + "\xff\"}", "SerializationException"},
		{"packed", "DescribeUserPool", callContentType, "gzip", `{"UserPoolId":"` + own + `"}`, "SerializationException"},
		{"another charset", "DescribeUserPool", callContentType + "; charset=utf-16", "", `{"UserPoolId":"` + own + `"}`, "SerializationException"},
		{"too large", "DescribeUserPool", callContentType, "", `{"UserPoolId":"` + own + `","Pad":"` + strings.Repeat("x", maxCallBody) + `"}`, "SerializationException"},
		// Only the case-variant key: cognito-local reads no UserPoolId in
		// it, and neither does the check: Cognito's validation error.
		{"only a case-variant UserPoolId", "DescribeUserPool", callContentType, "", `{"userPoolId":"` + other + `"}`, "InvalidParameterException"},
		{"another pool", "DescribeUserPool", callContentType, "", `{"UserPoolId":"` + other + `"}`, "AccessDeniedException"},
		{"the run's pool", "DescribeUserPool", callContentType, "", ` {"UserPoolId":"` + own + `"} `, "passed"},
		{"the run's pool, as application/json", "AdminUpdateUserAttributes", "application/json; charset=UTF-8", "", `{"UserPoolId":"` + own + `","Username":"u","UserAttributes":[{"Name":"a","Value":"b"}]}`, "passed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, gotType string
			passed := false
			w := newPoolWatch(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				passed, got, gotType = true, string(b), r.Header.Get("Content-Type")
			}))
			w.watch(own, nil)
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			req.Header.Set("X-Amz-Target", targetPrefix+tt.op)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.encoding != "" {
				req.Header.Set("Content-Encoding", tt.encoding)
			}
			rec := httptest.NewRecorder()
			w.ServeHTTP(rec, req)
			if tt.want == "passed" {
				if !passed || got != tt.body || gotType != callContentType {
					t.Errorf("passed %v, as %q: %q; want exactly the bytes checked, as %s (answer %d %s)", passed, gotType, got, callContentType, rec.Code, rec.Body.String())
				}
				return
			}
			if passed {
				t.Errorf("passed on to cognito-local: %q", got)
			}
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"__type":"`+tt.want+`"`) {
				t.Errorf("answer %d %s, want 400 %s", rec.Code, rec.Body.String(), tt.want)
			}
		})
	}
}
