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
	if _, err := c.Bootstrap(context.Background(), rt, code, "", t.TempDir()); err == nil || !strings.Contains(err.Error(), "executable file named bootstrap") {
		t.Errorf("no bootstrap: %v", err)
	}
	os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\n"), 0o644)
	if _, err := c.Bootstrap(context.Background(), rt, code, "", t.TempDir()); err == nil {
		t.Error("a bootstrap that is not executable was taken")
	}
	os.Chmod(filepath.Join(code, "bootstrap"), 0o755)
	if p, err := c.Bootstrap(context.Background(), rt, code, "", t.TempDir()); err != nil || p != filepath.Join(code, "bootstrap") {
		t.Errorf("got %q, %v", p, err)
	}
	if _, err := c.Bootstrap(context.Background(), rt, filepath.Join(code, "nope"), "", t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("a missing code directory: %v", err)
	}
}

// TestRIEVersionIsTheModules keeps the version local builds for a standalone
// runner equal to the one go.mod pins as a tool.
func TestRIEVersionIsTheModules(t *testing.T) {
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), RIEModule+" "+RIEVersion) {
		t.Errorf("go.mod does not pin %s %s", RIEModule, RIEVersion)
	}
	lock, _ := files.ReadFile("node/package-lock.json")
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

	api = run("lambda_function.no_such_function")
	if !strings.Contains(api.posts["/init/error"], "no_such_function") {
		t.Errorf("init error: %q", api.posts["/init/error"])
	}
	api = run("lambda_handler")
	if !strings.Contains(api.posts["/init/error"], "MODULE.FUNCTION") {
		t.Errorf("init error: %q", api.posts["/init/error"])
	}
}

// TestNamesWhatItCannotFetch: without node, python3 or the build tools, the
// error names each, with the command that installs it.
func TestNamesWhatItCannotFetch(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	c := Cache{Dir: t.TempDir()}
	code := t.TempDir()
	for _, tt := range []struct{ runtime, want string }{
		{"nodejs20.x", "node is not on PATH"},
		{"python3.12", "python3 is not on PATH"},
	} {
		rt, _ := ParseRuntime(tt.runtime)
		_, err := c.Bootstrap(context.Background(), rt, code, rt.DefaultHandler(), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "apt-get install") {
			t.Errorf("%s: %v", tt.runtime, err)
		}
	}
	_, err := c.NodeRuntime(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cmake, autoconf, automake, libtoolize") || !strings.Contains(err.Error(), "apt-get install cmake autoconf automake libtool") {
		t.Errorf("NodeRuntime: %v", err)
	}
}

// TestNodeFindsTheRuntimesModules: a handler finds the packages Lambda's
// runtime provides (the AWS SDK) with require and with import, as on Lambda,
// and its own node_modules first.
func TestNodeFindsTheRuntimesModules(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not on PATH; CI must have it")
		}
		t.Skip("node is not on PATH")
	}
	modules := t.TempDir()
	pkg := func(root, name, value string) {
		os.MkdirAll(filepath.Join(root, name), 0o755)
		os.WriteFile(filepath.Join(root, name, "package.json"), []byte(`{"name":"`+name+`","main":"index.js"}`), 0o644)
		os.WriteFile(filepath.Join(root, name, "index.js"), []byte(`module.exports = "`+value+`";`), 0o644)
	}
	pkg(modules, "runtime-sdk", "from the runtime")
	pkg(modules, "shadowed", "from the runtime")
	code := t.TempDir()
	pkg(filepath.Join(code, "node_modules"), "shadowed", "from the code")
	os.WriteFile(filepath.Join(code, "cjs.js"), []byte(`console.log(require("runtime-sdk"), "|", require("shadowed"))`), 0o644)
	os.WriteFile(filepath.Join(code, "esm.mjs"), []byte(`import a from "runtime-sdk"; import b from "shadowed"; console.log(a, "|", b)`), 0o644)
	task, err := besideRuntime(code, t.TempDir(), modules)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"cjs.js", "esm.mjs"} {
		cmd := exec.Command(node, f)
		cmd.Dir = task
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != "from the runtime | from the code" {
			t.Errorf("%s: %q, %v", f, got, err)
		}
	}
}
