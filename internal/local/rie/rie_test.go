package rie

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestStartRetriesATakenPort: a port taken by another process between
// picking it and the emulator binding it is picked again, whether the taker
// answers on it (the emulator's own address) or not (the Runtime API's), and
// the emulator that ends up serving is the one started here.
func TestStartRetriesATakenPort(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin, err := Binary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	boot := filepath.Join(t.TempDir(), "bootstrap")
	os.WriteFile(boot, []byte("#!/bin/sh\nexit 0\n"), 0o755)
	for _, taken := range []int{0, 1} { // which pick is the taken port
		name := map[int]string{0: "the emulator's address", 1: "the Runtime API's address"}[taken]
		t.Run(name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go http.Serve(ln, http.NotFoundHandler()) // another process answering
			var mu sync.Mutex
			picks := 0
			ports := func() (int, error) {
				mu.Lock()
				defer mu.Unlock()
				picks++
				if picks-1 == taken {
					return ln.Addr().(*net.TCPAddr).Port, nil
				}
				return FreePort()
			}
			p, err := StartWith(ctx, Config{Binary: bin, Bootstrap: boot, Env: os.Environ(), ports: ports})
			if err != nil {
				t.Fatalf("the start was not retried: %v", err)
			}
			defer p.Stop()
			t.Logf("%d picks", picks)
			if picks < 4 {
				t.Errorf("%d ports picked, want a second pair after the taken one", picks)
			}
			time.Sleep(200 * time.Millisecond)
			if !p.Alive() || p.Err() != nil {
				t.Fatalf("the emulator is not serving: %v", p.Err())
			}
			var in *instance
			for i := range p.live {
				in = i
			}
			port := 0
			fmt.Sscanf(in.url, "http://127.0.0.1:%d/", &port)
			if owned, err := listensOn(in.cmd.Process.Pid, port, false); err != nil || !owned {
				t.Errorf("port %d: owned by the emulator %v (%v)", port, owned, err)
			}
		})
	}
}

// TestListensOn tells this process's listener from another's.
func TestListensOn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if owned, err := listensOn(os.Getpid(), port, false); err != nil || !owned {
		t.Errorf("own listener: %v %v", owned, err)
	}
	if owned, err := listensOn(1, port, false); err != nil || owned {
		t.Errorf("pid 1 owns this test's listener: %v %v", owned, err)
	}
}

// TestLambdaAnswer: what the runtime took, not the emulator's status, tells
// an init failure from a function error.
func TestLambdaAnswer(t *testing.T) {
	panicked := `{"errorMessage":"runtime error: index out of range [1] with length 1","errorType":"boundsError"}`
	tests := []struct {
		name            string
		status          int
		body            string
		delivered       bool
		fnErr, init, to bool
		errType         string
	}{
		{"an answer", 200, `{"triggerSource":"PreSignUp_SignUp"}`, true, false, false, false, ""},
		{"the handler's error", 200, `{"errorMessage":"no","errorType":"Error"}`, true, true, false, false, "Error"},
		{"a timeout", 200, "Task timed out after 3.00 seconds", true, true, false, true, "Sandbox.Timedout"},
		{"a panic with the event", 502, panicked, true, true, false, false, "boundsError"},
		{"an answer over 6 MB", 502, `{"errorType":"Function.ResponseSizeTooLarge","errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes)."}`, true, true, false, false, "Function.ResponseSizeTooLarge"},
		{"an exit with the event", 502, `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: x Error: Runtime exited with error: exit status 3"}`, true, true, false, false, "Runtime.ExitError"},
		{"Python's import error, with each event", 200, `{"errorMessage":"Unable to import module 'lambda_function': No module named 'x'","errorType":"Runtime.ImportModuleError","stackTrace":[]}`, true, true, true, false, "Runtime.ImportModuleError"},
		{"Python's syntax error, with each event", 200, `{"errorMessage":"Syntax error in module 'lambda_function': invalid syntax","errorType":"Runtime.UserCodeSyntaxError","stackTrace":["  File \"/var/task/lambda_function.py\" Line 1\n    def f(\n"]}`, true, true, true, false, "Runtime.UserCodeSyntaxError"},
		{"the handler's error named as a load error", 200, `{"errorMessage":"no","errorType":"Runtime.ImportModuleError","stackTrace":["  File \"/var/task/lambda_function.py\", line 3, in lambda_handler\n    raise E('no')\n"]}`, true, true, false, false, "Runtime.ImportModuleError"},
		{"a Node.js error named as a load error", 502, `{"errorMessage":"no","errorType":"Runtime.HandlerNotFound","stackTrace":["Runtime.HandlerNotFound: no","    at Runtime.handler (file:///var/task/index.mjs:2:9)"]}`, true, true, false, false, "Runtime.HandlerNotFound"},
		{"an import error", 502, `{"errorMessage":"Cannot find module 'x'","errorType":"Runtime.ImportModuleError"}`, false, true, true, false, "Runtime.ImportModuleError"},
		{"an exit during init", 502, "", false, true, true, false, "Runtime.ExitError"},
		{"an answer to an event taken around the proxy", 200, `{"triggerSource":"PreSignUp_SignUp"}`, false, true, false, false, errAround},
		{"a missing handler, reported with the event", 200, `{"errorMessage":"Handler 'handler' missing on module 'lambda_function'","errorType":"Runtime.HandlerNotFound"}`, true, true, true, false, "Runtime.HandlerNotFound"},
	}
	p := &Proc{cfg: Config{Timeout: 3 * time.Second, Logs: &Log{}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := p.lambdaAnswer(tt.status, []byte(tt.body), tt.delivered)
			if err != nil {
				t.Fatal(err)
			}
			if r.FunctionError != tt.fnErr || r.Init != tt.init || r.TimedOut != tt.to || r.ErrorType != tt.errType {
				t.Errorf("got function error %v, init %v, timed out %v, type %q", r.FunctionError, r.Init, r.TimedOut, r.ErrorType)
			}
		})
	}
}

// TestRuntimeAPICountsEvents: an event counts once the runtime took it from
// /next; an init error does not.
func TestRuntimeAPICountsEvents(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", "1")
		w.Write([]byte(`{}`))
	}))
	defer up.Close()
	a, err := newRuntimeAPI(up.Listener.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if resp, err := http.Post("http://"+a.addr+"/2018-06-01/runtime/init/error", "application/json", nil); err == nil {
		resp.Body.Close()
	}
	if n := a.delivered.Load(); n != 0 {
		t.Errorf("an init error counted as %d events", n)
	}
	resp, err := http.Get("http://" + a.addr + "/2018-06-01/runtime/invocation/next")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id"); id != "1" || a.delivered.Load() != 1 {
		t.Errorf("request id %q, %d events", id, a.delivered.Load())
	}
}

// TestTaskRoot: the function starts in LAMBDA_TASK_ROOT.
func TestTaskRoot(t *testing.T) {
	if got := taskRoot([]string{"LAMBDA_TASK_ROOT=/a", "X=1", "LAMBDA_TASK_ROOT=/code"}, "/tmp/work/bootstrap"); got != "/code" {
		t.Errorf("got %s", got)
	}
	if got := taskRoot(nil, "/dist/bootstrap"); got != "/dist" {
		t.Errorf("without LAMBDA_TASK_ROOT: got %s", got)
	}
}

// TestRuntimeAPISeesAPostedError: a runtime that posts an invocation's error
// has failed it, whatever the body says; an init error and a response do
// not count, and the next invocation starts clean (red team round 17).
func TestRuntimeAPISeesAPostedError(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	defer up.Close()
	a, err := newRuntimeAPI(up.Listener.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	post := func(path string) {
		resp, err := http.Post("http://"+a.addr+path, "application/json", strings.NewReader(`{"response":{"autoConfirmUser":true}}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for _, tt := range []struct {
		path               string
		errored, responded bool
	}{
		{"/2018-06-01/runtime/init/error", false, false},
		{"/2018-06-01/runtime/invocation/1/response", false, true},
		{"/2018-06-01/runtime/invocation/1/error", true, false},
	} {
		a.expect(time.Second)
		post(tt.path)
		if a.errored.Load() != tt.errored || a.responded.Load() != tt.responded {
			t.Errorf("after a post to %s: errored %v, responded %v; want %v, %v", tt.path, a.errored.Load(), a.responded.Load(), tt.errored, tt.responded)
		}
	}
	a.expect(time.Second)
	if a.errored.Load() || a.responded.Load() {
		t.Error("the next invocation starts errored or answered")
	}
}
