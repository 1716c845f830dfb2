package runtimes

import (
	"context"
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
	"time"
)

func TestParseRuntime(t *testing.T) {
	tests := []struct {
		name    string
		kind    Kind
		handler string
		err     string
	}{
		{"provided.al2023", Provided, "", ""},
		{"provided.al2", Provided, "", ""},
		{"nodejs20.x", Node, "index.handler", ""},
		{"nodejs22.x", Node, "index.handler", ""},
		{"python3.12", Python, "lambda_function.lambda_handler", ""},
		{"nodejs18.x", "", "", "deprecated"},
		{"python3.8", "", "", "python3.9 and newer"},
		{"go1.x", "", "", "not one this command runs"},
		{"", "", "", "not one this command runs"},
		{"provided", "", "", "not one this command runs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, err := ParseRuntime(tt.name)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to say %q", err, tt.err)
				}
				return
			}
			if err != nil || rt.Kind != tt.kind || rt.DefaultHandler() != tt.handler {
				t.Fatalf("got %+v, %q, %v", rt, rt.DefaultHandler(), err)
			}
		})
	}
}

func TestProvidedNeedsAnExecutableBootstrap(t *testing.T) {
	code := t.TempDir()
	rt, _ := ParseRuntime("provided.al2023")
	c := Cache{Dir: t.TempDir()}
	if _, err := c.Prepare(context.Background(), rt, code, "", t.TempDir()); err == nil || !strings.Contains(err.Error(), "executable file named bootstrap") {
		t.Errorf("no bootstrap: %v", err)
	}
	os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\n"), 0o644)
	if _, err := c.Prepare(context.Background(), rt, code, "", t.TempDir()); err == nil {
		t.Error("a bootstrap that is not executable was taken")
	}
	os.Chmod(filepath.Join(code, "bootstrap"), 0o755)
	if f, err := c.Prepare(context.Background(), rt, code, "", t.TempDir()); err != nil || f.Bootstrap != filepath.Join(code, "bootstrap") {
		t.Errorf("got %q, %v", f.Bootstrap, err)
	}
	if _, err := c.Prepare(context.Background(), rt, filepath.Join(code, "nope"), "", t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("a missing code directory: %v", err)
	}
}

// TestRIEVersionIsTheModules keeps the version local builds for a standalone
// runner equal to the one go.mod pins as a tool.
func TestRIEVersionIsTheModules(t *testing.T) {
	b, err := os.ReadFile("../../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), RIEModule+" "+RIEVersion) {
		t.Errorf("go.mod does not pin %s %s", RIEModule, RIEVersion)
	}
	lock, _ := files.ReadFile("node/ric3/package-lock.json")
	if !strings.Contains(string(lock), `"node_modules/aws-lambda-ric": {
      "version": "`+RICVersion+`"`) {
		t.Errorf("node/package-lock.json does not pin aws-lambda-ric %s", RICVersion)
	}
}

// runtimeAPI is a fake of Lambda's runtime API: it hands out events and
// records what the runtime client posts back.
type runtimeAPI struct {
	mu      sync.Mutex
	events  []string
	posts   map[string]string // path -> body
	headers map[string]string // path -> error type header
	done    chan struct{}
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const base = "/2018-06-01/runtime"
	if r.Method == http.MethodGet && r.URL.Path == base+"/invocation/next" {
		a.mu.Lock()
		if len(a.events) == 0 {
			a.mu.Unlock()
			close(a.done)
			<-r.Context().Done() // like Lambda, hold the client until there is work
			return
		}
		ev := a.events[0]
		id := "req-" + string(rune('a'+len(a.posts)))
		a.events = a.events[1:]
		a.mu.Unlock()
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", id)
		w.Header().Set("Lambda-Runtime-Deadline-Ms", "4102444800000")
		io.WriteString(w, ev)
		return
	}
	b, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.posts[strings.TrimPrefix(r.URL.Path, base)] = string(b)
	a.headers[strings.TrimPrefix(r.URL.Path, base)] = r.Header.Get("Lambda-Runtime-Function-Error-Type")
	a.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	if strings.HasSuffix(r.URL.Path, "/init/error") {
		close(a.done)
	}
}

// TestPythonAdapter runs the standard-library runtime client against a fake
// runtime API: answers, errors in Lambda's shape, the context, and a handler
// that cannot be imported.
func TestPythonAdapter(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is not on PATH; CI must have it (make local-tools installs it)")
		}
		t.Skip("python3 is not on PATH")
	}
	code := t.TempDir()
	os.WriteFile(filepath.Join(code, "lambda_function.py"), []byte(`
def lambda_handler(event, context):
    if event.get("boom"):
        raise ValueError("boom: " + event["boom"])
    event["response"] = {"autoConfirmUser": True, "left": context.get_remaining_time_in_millis() > 0, "id": context.aws_request_id}
    return event
`), 0o644)
	adapter := filepath.Join(t.TempDir(), "bootstrap.py")
	b, _ := files.ReadFile("python/bootstrap.py")
	os.WriteFile(adapter, b, 0o644)

	run := func(handler string, events ...string) *runtimeAPI {
		api := &runtimeAPI{events: events, posts: map[string]string{}, headers: map[string]string{}, done: make(chan struct{})}
		srv := httptest.NewServer(api)
		defer srv.Close()
		cmd := exec.Command(py, adapter, handler)
		cmd.Dir = code
		cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(srv.URL, "http://"))
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-api.done:
		case <-time.After(20 * time.Second):
			t.Errorf("the adapter did not finish:\n%s", out)
		}
		cmd.Process.Kill()
		cmd.Wait()
		return api
	}

	api := run("lambda_function.lambda_handler", `{"triggerSource":"PreSignUp_SignUp","response":{}}`, `{"boom":"bad event"}`)
	var ok struct{ Response map[string]any }
	if err := json.Unmarshal([]byte(api.posts["/invocation/req-a/response"]), &ok); err != nil || ok.Response["autoConfirmUser"] != true || ok.Response["left"] != true || ok.Response["id"] != "req-a" {
		t.Errorf("response: %q (%v)", api.posts["/invocation/req-a/response"], err)
	}
	var e struct{ ErrorMessage, ErrorType string }
	if err := json.Unmarshal([]byte(api.posts["/invocation/req-b/error"]), &e); err != nil || e.ErrorMessage != "boom: bad event" || e.ErrorType != "ValueError" {
		t.Errorf("error: %q (%v)", api.posts["/invocation/req-b/error"], err)
	}
	if api.headers["/invocation/req-b/error"] != "Unhandled" {
		t.Errorf("error type header %q", api.headers["/invocation/req-b/error"])
	}

	// Lambda's Python runtime: a missing handler fails each invocation,
	// while a module that cannot load fails the init.
	api = run("lambda_function.no_such_function", `{}`)
	if e := api.posts["/invocation/req-a/error"]; !strings.Contains(e, `"errorType": "Runtime.HandlerNotFound"`) || !strings.Contains(e, "Handler 'no_such_function' missing on module 'lambda_function'") {
		t.Errorf("missing handler: %q", e)
	}
	os.WriteFile(filepath.Join(code, "bad_import.py"), []byte("import no_such_module\n"), 0o644)
	os.WriteFile(filepath.Join(code, "bad_syntax.py"), []byte("def lambda_handler(e, c)\n    return e\n"), 0o644)
	for _, tt := range []struct{ handler, typ, msg string }{
		{"lambda_handler", "Runtime.MalformedHandlerName", "Bad handler 'lambda_handler'"},
		{"bad_import.lambda_handler", "Runtime.ImportModuleError", "Unable to import module 'bad_import': No module named 'no_such_module'"},
		{"bad_syntax.lambda_handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'bad_syntax'"},
	} {
		api = run(tt.handler)
		var e struct{ ErrorMessage, ErrorType string }
		if err := json.Unmarshal([]byte(api.posts["/init/error"]), &e); err != nil || e.ErrorType != tt.typ || !strings.Contains(e.ErrorMessage, tt.msg) || api.headers["/init/error"] != tt.typ {
			t.Errorf("%s: init error %q, header %q", tt.handler, api.posts["/init/error"], api.headers["/init/error"])
		}
	}
}
