package rie

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// runtimeAPI stands between a runtime and the emulator's Runtime API, so
// that what the runtime asked for, and when, is known: an event it took
// from /runtime/invocation/next means the handler was ready, and a failure
// after that is the function's, not its init's. The moment it took the
// event starts the function's timeout, as Lambda's Invoke phase starts
// after Init.
type runtimeAPI struct {
	addr      string
	srv       *http.Server
	transport *http.Transport
	// delivered counts the events the runtime took; errored is set when
	// it posted the invocation's error, whatever the body says, and
	// responded when the emulator took its response from this proxy.
	delivered atomic.Int64
	errored   atomic.Bool
	responded atomic.Bool
	closeOnce sync.Once

	mu sync.Mutex
	// taken tells the invocation in flight when the runtime took its
	// event; timeout is that invocation's function timeout.
	taken   chan time.Time
	timeout time.Duration
}

// newRuntimeAPI listens on a port of its own, bound here, and forwards to
// upstream, the emulator's Runtime API, through dial when it is set.
func newRuntimeAPI(upstream string, dial func(context.Context, string, string) (net.Conn, error)) (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("the Runtime API proxy: %w", err)
	}
	a := &runtimeAPI{addr: ln.Addr().String(), transport: &http.Transport{DialContext: dial}}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: upstream})
	rp.Transport = a.transport
	rp.FlushInterval = -1 // a streamed response goes through as it comes
	rp.ErrorLog = log.New(io.Discard, "", 0)
	rp.ModifyResponse = func(r *http.Response) error {
		if r.StatusCode == http.StatusOK && strings.HasSuffix(r.Request.URL.Path, "/runtime/invocation/next") {
			a.delivered.Add(1)
			a.took(r.Header, time.Now())
		}
		if r.StatusCode == http.StatusAccepted && r.Request.Method == http.MethodPost && strings.HasSuffix(r.Request.URL.Path, "/response") {
			a.responded.Store(true)
		}
		return nil
	}
	a.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/runtime/invocation/") && strings.HasSuffix(r.URL.Path, "/error") {
			a.errored.Store(true)
		}
		rp.ServeHTTP(w, r)
	})}
	go a.srv.Serve(ln)
	return a, nil
}

// expect is called before an event is sent: the channel it returns gets the
// moment the runtime takes that event.
func (a *runtimeAPI) expect(timeout time.Duration) <-chan time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.taken, a.timeout = make(chan time.Time, 1), timeout
	a.errored.Store(false)
	a.responded.Store(false)
	return a.taken
}

// took signals the invocation in flight, and gives the runtime the deadline
// Lambda would: the function's timeout from now. The emulator's own counts
// from the invoke, init included, which Lambda does not count.
func (a *runtimeAPI) took(h http.Header, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.taken == nil {
		return
	}
	a.taken <- now
	a.taken = nil
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(now.Add(a.timeout).UnixMilli(), 10))
	if h.Get(traceHeader) == "" {
		h.Set(traceHeader, traceID(now))
	}
}

// traceHeader carries the invocation's X-Ray trace header, which Lambda
// gives every invocation, traced or not, and which the runtime sets as
// _X_AMZN_TRACE_ID (rules §18); the emulator gives none.
const traceHeader = "Lambda-Runtime-Trace-Id"

// traceID is a new, unsampled X-Ray trace header in the format X-Ray
// documents: Root=1-<epoch seconds, 8 hex>-<96 random bits>, a 64-bit
// Parent, Sampled=0.
func traceID(now time.Time) string {
	b := make([]byte, 20)
	rand.Read(b)
	return fmt.Sprintf("Root=1-%08x-%x;Parent=%x;Sampled=0", now.Unix(), b[:12], b[12:])
}

func (a *runtimeAPI) close() {
	a.closeOnce.Do(func() {
		a.srv.Close()
		a.transport.CloseIdleConnections()
	})
}
