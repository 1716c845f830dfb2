// Package gateway answers the Lambda Invoke API in front of the Runtime
// Interface Emulator and makes it behave like Lambda: it invokes the
// emulator's single function by its name or ARN (by any name until it is
// told the function's configuration), answers GetFunctionConfiguration for
// it, sends each invoke to an execution environment of its own (an Invoker
// such as *rie.Proc takes an idle one or starts one, as Lambda does), and
// sets X-Amz-Function-Error when the function returned an error, which the
// emulator does not.
//
// Cognito serves the same API the way Cognito calls it: each attempt gets 5
// seconds, from when the emulator takes the invocation, and a sign-up gets
// three attempts (rules §4); an abandoned attempt keeps its execution
// environment, so a retry may start cold in another.
package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autoconfirm/autoconfirm/harness/deployed"
	"github.com/autoconfirm/autoconfirm/internal/local/rie"
)

// Invoker runs one invocation; *rie.Proc is one. An invocation whose
// context ends is abandoned: Invoke returns at once, and the function may
// run on where it runs, as on Lambda; the Result it returns then may still
// say whether the invocation started cold.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) (rie.Result, error)
}

// StartTeller is an Invoker that says when an invocation has its execution
// environment (rie.WithStart), as *rie.Proc does: Cognito's 5 s an attempt
// count from then. Another Invoker's start is when Invoke is called.
type StartTeller interface {
	Invoker
	TellsStart()
}

// Gateway is an http.Handler for POST /2015-03-31/functions/{name}/invocations.
type Gateway struct {
	fn    Invoker
	delay atomic.Int64 // nanoseconds added before each invoke
	stats Stats
	// Cognito's limits; tests shorten them.
	attempt  time.Duration
	attempts int
	// retried is told of every sign-up that needed more than one attempt.
	retried func(attempts int, answered bool)
	// config is the hosted function's configuration, if set.
	config *Configuration
}

// Stats count what the gateway served.
type Stats struct {
	Invokes, FunctionErrors, Timeouts atomic.Int64
	// SignUps are Cognito's invocations; Retried those that needed more
	// than one attempt, TimedOut those that got no answer in any.
	SignUps, Retried, TimedOut atomic.Int64
	// ColdStarts are invocations that started a new runtime: a new
	// execution environment, or one whose runtime had exited or timed out.
	ColdStarts atomic.Int64
}

// Cognito's limits (rules §4): "it must respond within 5 seconds. If it does
// not, Amazon Cognito retries the call. After three unsuccessful attempts,
// the function times out."
const (
	CognitoAttempt  = 5 * time.Second
	CognitoAttempts = 3
)

// New returns a gateway in front of fn.
func New(fn Invoker) *Gateway {
	return &Gateway{fn: fn, attempt: CognitoAttempt, attempts: CognitoAttempts}
}

// SetDelay makes every invoke wait d first, like a slow cold start. The
// interrupt check uses it to stop a run in the middle of a sign-up.
func (g *Gateway) SetDelay(d time.Duration) { g.delay.Store(int64(d)) }

// OnRetry sets a function told of each sign-up that Cognito would have
// invoked more than once: how many times the handler ran, and whether any
// attempt answered in time. Set it before serving.
func (g *Gateway) OnRetry(f func(attempts int, answered bool)) { g.retried = f }

// Stats returns the counters.
func (g *Gateway) Stats() *Stats { return &g.stats }

const maxPayload = 6 << 20 // Lambda's synchronous payload limit

// Configuration is what GetFunctionConfiguration answers for the function
// the gateway hosts, in Lambda's JSON.
type Configuration struct {
	FunctionName, FunctionArn, Runtime, Handler, CodeSha256 string
	CodeSize                                                int64
	Timeout, MemorySize                                     int
	Architectures                                           []string
	Version, LastModified, PackageType                      string
}

// SetConfiguration makes the gateway answer GetFunctionConfiguration and
// GetFunction for the function c names, by its name or ARN, and invoke no
// other: any other name is ResourceNotFoundException, as on Lambda. Without
// it, any name invokes the one function. Set it before serving.
func (g *Gateway) SetConfiguration(c Configuration) { g.config = &c }

// ServeHTTP answers as Lambda's Invoke API does: no limit but the
// function's own timeout. It also answers GetFunctionConfiguration and
// GetFunction, once SetConfiguration has said what to answer.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := g.request(w, r)
	if !ok {
		return
	}
	res, err := g.invoke(r.Context(), body)
	g.answer(w, r, res, err)
}

// request checks the path and the invocation type and reads the payload; it
// answers the request itself when it returns false: a read of the
// function's configuration, a DryRun, or an error.
func (g *Gateway) request(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Method == http.MethodGet && g.config != nil {
		g.configuration(w, r)
		return nil, false
	}
	name, ok := functionName(r.URL.Path)
	if r.Method != http.MethodPost || !ok {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("the local gateway serves only POST /2015-03-31/functions/{name}/invocations, not %s %s", r.Method, r.URL.Path))
		return nil, false
	}
	if g.config != nil && !g.found(w, r, name) {
		return nil, false
	}
	switch t := r.Header.Get("X-Amz-Invocation-Type"); t {
	case "", "RequestResponse":
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return nil, false
	default:
		writeError(w, http.StatusBadRequest, "InvalidParameterValueException", "the local gateway supports only RequestResponse invocations, not "+t)
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
		return nil, false
	}
	if len(body) > maxPayload {
		writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
		return nil, false
	}
	return body, true
}

// invoke runs one invocation.
func (g *Gateway) invoke(ctx context.Context, body []byte) (rie.Result, error) {
	return g.invokeStarted(ctx, body, nil)
}

// invokeStarted is invoke, closing started, when it is not nil, once the
// invocation has its environment (StartTeller), or is sent to the Invoker.
func (g *Gateway) invokeStarted(ctx context.Context, body []byte, started chan<- struct{}) (rie.Result, error) {
	if d := time.Duration(g.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return rie.Result{}, ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil {
		return rie.Result{}, err
	}
	if started != nil {
		if _, tells := g.fn.(StartTeller); tells {
			var once sync.Once
			ctx = rie.WithStart(ctx, func() { once.Do(func() { close(started) }) })
		} else {
			close(started)
		}
	}
	res, err := g.fn.Invoke(ctx, body)
	if res.Cold {
		g.stats.ColdStarts.Add(1)
	}
	return res, err
}

// answer writes an invocation's outcome as Lambda would.
func (g *Gateway) answer(w http.ResponseWriter, r *http.Request, res rie.Result, err error) {
	if err != nil {
		name, _ := functionName(r.URL.Path)
		writeError(w, http.StatusBadGateway, "ServiceException", fmt.Sprintf("function %s: %v", name, err))
		return
	}
	g.stats.Invokes.Add(1)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if res.FunctionError {
		g.stats.FunctionErrors.Add(1)
		if res.TimedOut {
			g.stats.Timeouts.Add(1)
		}
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
	}
	w.WriteHeader(http.StatusOK)
	w.Write(res.Body)
}

// functionName extracts {name} from the Invoke path. The name may be an ARN
// and arrives path-escaped.
func functionName(path string) (string, bool) {
	const pre, suf = "/2015-03-31/functions/", "/invocations"
	if !strings.HasPrefix(path, pre) || !strings.HasSuffix(path, suf) || len(path) <= len(pre)+len(suf) {
		return "", false
	}
	return path[len(pre) : len(path)-len(suf)], true
}

// configuration answers GET /2015-03-31/functions/{name}/configuration
// (GetFunctionConfiguration) and GET /2015-03-31/functions/{name}
// (GetFunction), as Lambda does for a function that exists, and
// ResourceNotFoundException for any other name or version.
func (g *Gateway) configuration(w http.ResponseWriter, r *http.Request) {
	const pre = "/2015-03-31/functions/"
	name, configOnly := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, pre), "/configuration")
	if !strings.HasPrefix(r.URL.Path, pre) || strings.Contains(name, "/") {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "the local gateway serves Invoke, GetFunctionConfiguration and GetFunction only, not GET "+r.URL.Path)
		return
	}
	if !g.found(w, r, name) {
		return
	}
	c := g.config
	w.Header().Set("Content-Type", "application/json")
	if configOnly {
		json.NewEncoder(w).Encode(c)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"Configuration": c})
}

// found reports whether the request names the hosted function, and answers
// ResourceNotFoundException, as Lambda does, when it does not.
func (g *Gateway) found(w http.ResponseWriter, r *http.Request, name string) bool {
	if g.hosts(name, r.URL.Query().Get("Qualifier")) {
		return true
	}
	writeError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("Function not found: %s; the local gateway hosts only %s (%s)", name, g.config.FunctionArn, g.config.Version))
	return false
}

// hosts reports whether name, a FunctionName with an optional qualifier (in
// it or apart), is the function the configuration describes: its name,
// partial ARN or ARN, unqualified or $LATEST.
func (g *Gateway) hosts(name, qualifier string) bool {
	ref, err := deployed.ParseRef(name)
	hosted, _ := deployed.ParseRef(g.config.FunctionArn)
	if qualifier != "" && ref.Qualifier == "" {
		ref.Qualifier = qualifier
	}
	return err == nil && ref.Name == hosted.Name && (ref.Region == "" || ref.Region == hosted.Region) &&
		(ref.Account == "" || ref.Account == hosted.Account) && (ref.Qualifier == "" || ref.Qualifier == g.config.Version)
}

func writeError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"Type":"User","message":%q}`, msg)
}
