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
	"slices"
	"strconv"
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
	// A file given as the code directory: said so, not "(<nil>)".
	if _, err := c.Prepare(context.Background(), rt, filepath.Join(code, "bootstrap"), "", t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a directory (it is a file)") {
		t.Errorf("a file as the code directory: %v", err)
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

// TestSDKImports finds the @aws-sdk packages a handler imports, in any
// module syntax, and not those in its node_modules.
func TestSDKImports(t *testing.T) {
	task := t.TempDir()
	os.WriteFile(filepath.Join(task, "index.mjs"), []byte(`import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from '@aws-sdk/util-dynamodb';`), 0o644)
	os.WriteFile(filepath.Join(task, "lib.ts"), []byte(`const s3 = require("@aws-sdk/client-s3/dist-cjs");`), 0o644)
	os.WriteFile(filepath.Join(task, "notes.md"), []byte(`"@aws-sdk/client-sqs"`), 0o644)
	os.MkdirAll(filepath.Join(task, "node_modules", "x"), 0o755)
	os.WriteFile(filepath.Join(task, "node_modules", "x", "index.js"), []byte(`require("@aws-sdk/client-sns")`), 0o644)
	got, err := sdkImports(task)
	want := []string{"@aws-sdk/client-dynamodb", "@aws-sdk/client-s3", "@aws-sdk/util-dynamodb"}
	if err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
}

// TestLinkModules: a scoped package from a later source joins the scope of
// an earlier one, and an earlier source's package wins.
func TestLinkModules(t *testing.T) {
	runtime, extra, dst := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "node_modules")
	for _, p := range []string{"@aws-sdk/client-cognito-identity-provider", "@smithy/core", "aws-lambda-ric"} {
		os.MkdirAll(filepath.Join(runtime, p), 0o755)
	}
	for _, p := range []string{"@aws-sdk/client-dynamodb", "@aws-sdk/client-cognito-identity-provider"} {
		os.MkdirAll(filepath.Join(extra, p), 0o755)
	}
	if err := linkModules(dst, runtime, extra); err != nil {
		t.Fatal(err)
	}
	for p, from := range map[string]string{
		"@aws-sdk/client-cognito-identity-provider": runtime, "@aws-sdk/client-dynamodb": extra,
		"@smithy/core": runtime, "aws-lambda-ric": runtime,
	} {
		if got, err := os.Readlink(filepath.Join(dst, p)); err != nil || got != filepath.Join(from, p) {
			t.Errorf("%s links to %q (%v), want %s", p, got, err, filepath.Join(from, p))
		}
	}
}

// TestLambdaEnv: the handler gets what Lambda sets for its runtime, and the
// OS-only runtimes no AWS_EXECUTION_ENV.
func TestLambdaEnv(t *testing.T) {
	for _, tt := range []struct {
		runtime string
		want    []string
		not     string
	}{
		{"nodejs22.x", []string{"AWS_EXECUTION_ENV=AWS_Lambda_nodejs22.x", "_HANDLER=index.handler", "LAMBDA_TASK_ROOT=/code"}, ""},
		{"python3.12", []string{"AWS_EXECUTION_ENV=AWS_Lambda_python3.12", "_HANDLER=index.handler", "LAMBDA_RUNTIME_DIR=/var/runtime"}, ""},
		{"provided.al2023", []string{"_HANDLER=index.handler"}, "AWS_EXECUTION_ENV="},
	} {
		rt, _ := ParseRuntime(tt.runtime)
		env := strings.Join(lambdaEnv(rt, "index.handler", "/code"), "\n")
		for _, w := range tt.want {
			if !strings.Contains(env, w) {
				t.Errorf("%s: no %s in\n%s", tt.runtime, w, env)
			}
		}
		if tt.not != "" && strings.Contains(env, tt.not) {
			t.Errorf("%s: %s set:\n%s", tt.runtime, tt.not, env)
		}
	}
}

// TestPythonSaysWhoStandsIn: a runtime whose minor version this machine
// lacks runs on the one it has, and says so; one it has, silently. The
// interpreter runs without site-packages.
func TestPythonSaysWhoStandsIn(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not on PATH")
	}
	out, _ := exec.Command("python3", "-c", "import sys;print(sys.version_info[1])").Output()
	have := strings.TrimSpace(string(out))
	c := Cache{Dir: t.TempDir()}
	for _, minor := range []string{have, "99"} {
		rt, err := ParseRuntime("python3." + minor)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		f, err := c.Prepare(context.Background(), rt, t.TempDir(), rt.DefaultHandler(), dir)
		if err != nil {
			t.Fatal(err)
		}
		said := strings.Join(f.Differences, "\n")
		if stands := strings.Contains(said, "stood in"); stands != (minor == "99") || (stands && !strings.Contains(said, "Python 3."+have)) {
			t.Errorf("python3.%s on a machine with 3.%s: differences %q", minor, have, said)
		}
		if b, _ := os.ReadFile(f.Bootstrap); !strings.Contains(string(b), "' -S -B '") {
			t.Errorf("the interpreter runs with site-packages:\n%s", b)
		}
	}
}

// TestBoto3Preload: botocore older than 1.31 ignores AWS_ENDPOINT_URL_*; the
// adapter's preload points its clients there, and an explicit endpoint_url
// wins. It runs against Debian's python3-boto3 when it is installed.
func TestBoto3Preload(t *testing.T) {
	c := Cache{Dir: t.TempDir()}
	sdk, version, err := c.pythonSDK()
	if err != nil {
		t.Fatal(err)
	}
	if sdk == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Debian's python3-boto3 is not installed; CI must have it (make local-tools installs it)")
		}
		t.Skip("Debian's python3-boto3 is not installed")
	}
	adapter := filepath.Join(t.TempDir(), "bootstrap.py")
	b, _ := files.ReadFile("python/bootstrap.py")
	os.WriteFile(adapter, b, 0o644)
	script := `import importlib.util
spec = importlib.util.spec_from_file_location("adapter", "` + adapter + `")
adapter = importlib.util.module_from_spec(spec); spec.loader.exec_module(adapter)
if PRELOAD:
    adapter.endpoint_preload()
import boto3
print(boto3.client("cognito-idp", region_name="us-east-1").meta.endpoint_url)
print(boto3.client("dynamodb", region_name="us-east-1").meta.endpoint_url)
print(boto3.client("dynamodb", region_name="us-east-1", endpoint_url="http://127.0.0.1:3").meta.endpoint_url)
`
	for preload, want := range map[string]string{
		"True":  "http://127.0.0.1:2\nhttp://127.0.0.1:1\nhttp://127.0.0.1:3",
		"False": "https://cognito-idp.us-east-1.amazonaws.com\nhttps://dynamodb.us-east-1.amazonaws.com\nhttp://127.0.0.1:3",
	} {
		cmd := exec.Command("python3", "-S", "-c", "PRELOAD = "+preload+"\n"+script)
		cmd.Env = append(os.Environ(), "PYTHONPATH="+sdk, "AWS_ENDPOINT_URL=http://127.0.0.1:1", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=http://127.0.0.1:2",
			"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=y")
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != want {
			t.Errorf("boto3 %s, preload %s: got %q (%v), want %q", version, preload, got, err, want)
		}
	}
}

// TestSweepPartials: a fetch's directory left over an hour ago (its run was
// killed) is removed by the next fetch; one of a fetch in progress, and the
// finished tool, are not.
func TestSweepPartials(t *testing.T) {
	dir := t.TempDir()
	old, fresh, done := filepath.Join(dir, "tool.partial-1"), filepath.Join(dir, "tool.partial-2"), filepath.Join(dir, "tool")
	for _, d := range []string{old, fresh, done} {
		os.MkdirAll(filepath.Join(d, "node_modules"), 0o755)
	}
	then := time.Now().Add(-2 * partialAge)
	os.Chtimes(old, then, then)
	sweepPartials(filepath.Join(dir, "tool.partial-*"))
	for d, want := range map[string]bool{old: false, fresh: true, done: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", filepath.Base(d), err == nil, want)
		}
	}
}

// TestPythonProbeIsolated: the interpreter probe imports nothing of the
// working directory: a checkout's platform.py does not run on this machine
// (red team round 17).
func TestPythonProbeIsolated(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	os.WriteFile(filepath.Join(dir, "platform.py"), []byte("open("+strconv.Quote(marker)+", 'w').close()\nraise SystemExit(9)\n"), 0o644)
	t.Chdir(dir)
	if _, _, _, err := pythonFor(context.Background(), Runtime{Name: "python3.11", Minor: 11}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the working directory's platform.py ran")
	}
}

// TestPyenvPython: the runtime's minor version is found among pyenv's
// installed versions, the newest patch release first; another minor
// version is not taken for it.
func TestPyenvPython(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"3.9.9", "3.9.18", "3.12.1", "3.9.x"} {
		bin := filepath.Join(root, "versions", v, "bin")
		os.MkdirAll(bin, 0o755)
		os.WriteFile(filepath.Join(bin, "python"+v[:strings.LastIndex(v, ".")]), nil, 0o755)
	}
	env := func(k string) string { return map[string]string{"PYENV_ROOT": root}[k] }
	for minor, want := range map[int]string{9: filepath.Join(root, "versions", "3.9.18", "bin", "python3.9"), 12: filepath.Join(root, "versions", "3.12.1", "bin", "python3.12"), 11: ""} {
		if got := pyenvPython(env, minor); got != want {
			t.Errorf("3.%d: %q, want %q", minor, got, want)
		}
	}
}

// TestNodeCheckTakesNoOption: a code file named as one of node's options is
// checked as a file: node runs nothing of the code on this machine (red
// team round 18).
func TestNodeCheckTakesNoOption(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node on PATH")
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	os.MkdirAll(filepath.Join(dir, "node_modules"), 0o755)
	os.WriteFile(filepath.Join(dir, "node_modules", "evil.js"), []byte("require('fs').writeFileSync("+strconv.Quote(marker)+", 'x');\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "evil.js"), []byte("require('fs').writeFileSync("+strconv.Quote(marker)+", 'x');\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "--require=evil.js"), []byte("const x = ;\n"), 0o644)
	where, ok := nodeCheck(context.Background(), node, "", dir, "--require=evil.js")
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the code ran on this machine")
	}
	if !ok || !strings.Contains(where, "--require=evil.js:1") {
		t.Errorf("the syntax error is not located: %q %v", where, ok)
	}
}

// TestCodeFilesAreBounded: the syntax search, which runs on this machine,
// parses no file over maxSyntaxBytes, the handler's module included (red
// team round 20: a 6 MB module took Python 2.1 GB).
func TestCodeFilesAreBounded(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "lambda_function.py"), make([]byte, maxSyntaxBytes+1), 0o644)
	os.WriteFile(filepath.Join(dir, "big.py"), make([]byte, maxSyntaxBytes+1), 0o644)
	os.WriteFile(filepath.Join(dir, "small.py"), []byte("x = 1\n"), 0o644)
	if got := codeFiles(dir, []string{".py"}, "lambda_function", ".py"); !slices.Equal(got, []string{"small.py"}) {
		t.Errorf("files parsed: %q, want small.py alone", got)
	}
}
