package runtimes

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestRapidClient runs the JavaScript stand-in for aws-lambda-ric's native
// client against a Runtime API of the test's own: next gives the event and
// its headers as the addon does, and done and error have posted by the time
// they return, since the ric may exit right after.
func TestRapidClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH (%v): install Node.js to run this test", err)
	}
	dir := filepath.Join(t.TempDir(), "rapid-client.node")
	if err := installRapidClient(dir); err != nil {
		t.Fatal(err)
	}
	// The script asks for one invocation, answers it, and exits at once.
	script := `const c = require(process.argv[1]);
c.next().then((inv) => {
  process.stdout.write(JSON.stringify(inv));
  const id = encodeURIComponent(inv.headers['lambda-runtime-aws-request-id']);
  if (process.argv[2] === 'done') c.done(id, '{"ok":true}');
  else c.error(id, '{"errorType":"TypeError","errorMessage":"bad ✓"}', '{"working_directory":"/var/task"}');
  process.exit(0);
});`
	cases := []struct {
		call, path, body, errorType, xray string
	}{
		{"done", "/2018-06-01/runtime/invocation/id%2F1/response", `{"ok":true}`, "", ""},
		{"error", "/2018-06-01/runtime/invocation/id%2F1/error", `{"errorType":"TypeError","errorMessage":"bad ✓"}`, "TypeError", `{"working_directory":"/var/task"}`},
	}
	for _, c := range cases {
		t.Run(c.call, func(t *testing.T) {
			var mu sync.Mutex
			var posts []*http.Request
			var bodies []string
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && r.URL.Path == "/2018-06-01/runtime/invocation/next" {
					w.Header().Set("Lambda-Runtime-Aws-Request-Id", "id/1")
					w.Header().Set("Lambda-Runtime-Deadline-Ms", "1700000000123")
					w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:f")
					w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-0")
					io.WriteString(w, `{"triggerSource":"PreSignUp_SignUp"}`)
					return
				}
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				posts, bodies = append(posts, r), append(bodies, string(b))
				mu.Unlock()
				w.WriteHeader(http.StatusAccepted)
			}))
			defer api.Close()
			cmd := exec.Command(node, "-e", script, "--", dir, c.call)
			cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(api.URL, "http://"))
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			var inv struct {
				BodyJSON string         `json:"bodyJson"`
				Headers  map[string]any `json:"headers"`
			}
			if err := json.Unmarshal(out, &inv); err != nil {
				t.Fatalf("next() gave %s: %v", out, err)
			}
			if inv.BodyJSON != `{"triggerSource":"PreSignUp_SignUp"}` || inv.Headers["lambda-runtime-deadline-ms"] != float64(1700000000123) ||
				inv.Headers["lambda-runtime-aws-request-id"] != "id/1" || inv.Headers["lambda-runtime-invoked-function-arn"] == nil {
				t.Errorf("next() gave %s, want the event, the request id, the ARN and the deadline as a number", out)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(posts) != 1 {
				t.Fatalf("%d posts before the process exited, want 1", len(posts))
			}
			r := posts[0]
			if r.URL.EscapedPath() != c.path || bodies[0] != c.body || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("posted %s %s (%s), want %s %s", r.URL.EscapedPath(), bodies[0], r.Header.Get("Content-Type"), c.path, c.body)
			}
			if got := r.Header.Get("Lambda-Runtime-Function-Error-Type"); got != c.errorType {
				t.Errorf("Lambda-Runtime-Function-Error-Type %q, want %q", got, c.errorType)
			}
			if got := r.Header.Get("Lambda-Runtime-Function-XRay-Error-Cause"); got != c.xray {
				t.Errorf("Lambda-Runtime-Function-XRay-Error-Cause %q, want %q", got, c.xray)
			}
		})
	}
}
