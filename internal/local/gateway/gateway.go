// Package gateway answers the Lambda Invoke API in front of the Runtime
// Interface Emulator and makes it behave like Lambda: it maps any function
// name to the emulator's single function, sends invokes one at a time (two at
// once make the emulator panic), and sets X-Amz-Function-Error when the
// function returned an error, which the emulator does not.
package gateway

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/rie"
)

// Invoker runs one invocation; *rie.Proc is one.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) (rie.Result, error)
}

// Gateway is an http.Handler for POST /2015-03-31/functions/{name}/invocations.
type Gateway struct {
	fn      Invoker
	mu      sync.Mutex   // one invoke at a time: two at once make the emulator panic
	delay   atomic.Int64 // nanoseconds added before each invoke
	invokes atomic.Int64
	errors  atomic.Int64
}

// New returns a gateway in front of fn.
func New(fn Invoker) *Gateway { return &Gateway{fn: fn} }

// SetDelay makes every invoke wait d first, like a slow cold start. The
// interrupt check uses it to stop a run in the middle of a sign-up.
func (g *Gateway) SetDelay(d time.Duration) { g.delay.Store(int64(d)) }

// Counts reports the invocations served and how many were function errors.
func (g *Gateway) Counts() (invokes, functionErrors int64) { return g.invokes.Load(), g.errors.Load() }

const maxPayload = 6 << 20 // Lambda's synchronous payload limit

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := functionName(r.URL.Path)
	if r.Method != http.MethodPost || !ok {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("the local gateway serves only POST /2015-03-31/functions/{name}/invocations, not %s %s", r.Method, r.URL.Path))
		return
	}
	switch t := r.Header.Get("X-Amz-Invocation-Type"); t {
	case "", "RequestResponse":
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		writeError(w, http.StatusBadRequest, "InvalidParameterValueException", "the local gateway supports only RequestResponse invocations, not "+t)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
		return
	}
	if len(body) > maxPayload {
		writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
		return
	}
	if d := time.Duration(g.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	g.mu.Lock()
	res, err := g.fn.Invoke(r.Context(), body)
	g.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusBadGateway, "ServiceException", fmt.Sprintf("function %s: %v", name, err))
		return
	}
	g.invokes.Add(1)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if res.FunctionError {
		g.errors.Add(1)
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

func writeError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"Type":"User","message":%q}`, msg)
}
