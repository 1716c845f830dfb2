package stack

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// callOp posts a Cognito call, op with body, to url as an SDK does, and
// returns the answer's status and body.
func callOp(t *testing.T, url, op, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	req.Header.Set("Content-Type", callContentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
