package rie

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// TestMain makes this test binary a function's runtime when the emulator
// starts it with RIE_TEST_RUNTIME set: "init-exit" exits before it asks for
// an event; otherwise it sleeps RIE_TEST_INIT_MS, as an init, then answers
// each event {"sleep_ms": n, "exit": b} with its pid and the time left to
// its deadline, after the sleep, or exits with the event.
func TestMain(m *testing.M) {
	switch os.Getenv("RIE_TEST_RUNTIME") {
	case "":
		os.Exit(m.Run())
	case "init-exit":
		os.Exit(1)
	}
	initMS, _ := strconv.Atoi(os.Getenv("RIE_TEST_INIT_MS"))
	time.Sleep(time.Duration(initMS) * time.Millisecond)
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		resp, err := http.Get(api + "next")
		if err != nil {
			os.Exit(3)
		}
		event, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if gjson.GetBytes(event, "exit").Bool() {
			os.Exit(2)
		}
		deadline, _ := strconv.ParseInt(resp.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
		left := time.Until(time.UnixMilli(deadline)).Milliseconds()
		time.Sleep(time.Duration(gjson.GetBytes(event, "sleep_ms").Int()) * time.Millisecond)
		b, _ := json.Marshal(map[string]int64{"pid": int64(os.Getpid()), "left_ms": left})
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		if r, err := http.Post(api+id+"/response", "application/json", bytes.NewReader(b)); err == nil {
			r.Body.Close()
		}
	}
}

func startTestRuntime(t *testing.T, mode string) *Proc {
	t.Helper()
	return startTestRuntimeWith(t, Config{Timeout: 10 * time.Second}, "RIE_TEST_RUNTIME="+mode)
}

// startTestRuntimeWith starts this test binary as the runtime, with cfg's
// timeouts and env added to its environment.
func startTestRuntimeWith(t *testing.T, cfg Config, env ...string) *Proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin, err := Binary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	cfg.Binary, cfg.Bootstrap, cfg.Env = bin, self, append(os.Environ(), env...)
	p, err := StartWith(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

func pidOf(t *testing.T, r Result) int {
	t.Helper()
	pid := int(gjson.GetBytes(r.Body, "pid").Int())
	if pid == 0 || r.FunctionError {
		t.Fatalf("no answer from the runtime: %s", r.Body)
	}
	return pid
}

// TestAbandonedInvocationKeepsItsEnvironment: an abandoned invocation runs
// on in its environment; the next one starts cold in a new environment
// meanwhile, and once the first is done it is taken again, warm.
func TestAbandonedInvocationKeepsItsEnvironment(t *testing.T) {
	p := startTestRuntime(t, "serve")
	first := pidOf(t, mustInvoke(t, p, context.Background(), `{}`))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	r, err := p.Invoke(ctx, []byte(`{"sleep_ms": 600}`))
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || r.Cold {
		t.Fatalf("abandoned: %v, cold %v", err, r.Cold)
	}
	retry := mustInvoke(t, p, context.Background(), `{}`)
	if pid := pidOf(t, retry); pid == first || !retry.Cold {
		t.Errorf("the retry ran in pid %d (the busy one is %d), cold %v: want a new environment, cold", pid, first, retry.Cold)
	}
	time.Sleep(time.Second) // the abandoned invocation ends
	again := mustInvoke(t, p, context.Background(), `{}`)
	if pid := pidOf(t, again); pid != first || again.Cold {
		t.Errorf("ran in pid %d, cold %v: want the first environment again, warm (pid %d)", pid, again.Cold, first)
	}
}

// TestInitFailureOrCrash: a runtime that exits before it takes an event is
// an init failure; one that exits with the event is a function error, and
// the next invocation starts a new runtime.
func TestInitFailureOrCrash(t *testing.T) {
	r := mustInvoke(t, startTestRuntime(t, "init-exit"), context.Background(), `{}`)
	if !r.Init || r.ErrorType != "Runtime.ExitError" {
		t.Errorf("an exit before /next: init %v, type %q: %s", r.Init, r.ErrorType, r.Body)
	}
	p := startTestRuntime(t, "serve")
	r = mustInvoke(t, p, context.Background(), `{"exit": true}`)
	if r.Init || !r.FunctionError || r.ErrorType != "Runtime.ExitError" {
		t.Errorf("an exit with the event: init %v, type %q: %s", r.Init, r.ErrorType, r.Body)
	}
	if next := mustInvoke(t, p, context.Background(), `{}`); !next.Cold {
		t.Errorf("the invocation after the exit did not start cold: pid %s", strconv.Itoa(pidOf(t, next)))
	}
}

func mustInvoke(t *testing.T, p *Proc, ctx context.Context, payload string) Result {
	t.Helper()
	r, err := p.Invoke(ctx, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEnvironmentsAreBounded: invocations abandoned while their handler
// sleeps keep their environments busy; past MaxEnvironments a new one
// waits for one to be free, until its caller gives up, rather than start
// another, and is served once one is.
func TestEnvironmentsAreBounded(t *testing.T) {
	p := startTestRuntime(t, "serve")
	for i := range MaxEnvironments {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		if _, err := p.Invoke(ctx, []byte(`{"sleep_ms": 4000}`)); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("invocation %d: %v; want it abandoned", i+1, err)
		}
		cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	_, err := p.Invoke(ctx, []byte(`{}`))
	cancel()
	if err == nil || !strings.Contains(err.Error(), "busy") {
		t.Errorf("with every environment busy: %v; want it to wait, and say so", err)
	}
	p.mu.Lock()
	live := len(p.live)
	p.mu.Unlock()
	if live > MaxEnvironments {
		t.Errorf("%d environments live, more than %d", live, MaxEnvironments)
	}
	pidOf(t, mustInvoke(t, p, context.Background(), `{}`)) // once one is free
}

// TestRelativeBootstrap: a bootstrap named relative to this process's
// directory starts, although the function starts in its own directory.
func TestRelativeBootstrap(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin, err := Binary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	dir, err := os.MkdirTemp(".", "relative-bootstrap-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	rel := filepath.Join(dir, "bootstrap")
	if err := os.Symlink(self, rel); err != nil {
		t.Fatal(err)
	}
	p, err := StartWith(ctx, Config{Binary: bin, Bootstrap: rel, Env: append(os.Environ(), "RIE_TEST_RUNTIME=serve"), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	if r := mustInvoke(t, p, ctx, `{}`); r.FunctionError {
		t.Errorf("the function failed: %s", r.Body)
	}
}
