package rie

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
)

// runtimeAPI stands between a runtime and the emulator's Runtime API, so
// that what the runtime asked for, and when, is known: an event it took
// from /runtime/invocation/next means the handler was ready, and a failure
// after that is the function's, not its init's.
type runtimeAPI struct {
	addr      string
	srv       *http.Server
	transport *http.Transport
	// delivered counts the events the runtime took.
	delivered atomic.Int64
	closeOnce sync.Once
}

// newRuntimeAPI listens on a port of its own, bound here, and forwards to
// upstream, the emulator's Runtime API.
func newRuntimeAPI(upstream string) (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("the Runtime API proxy: %w", err)
	}
	a := &runtimeAPI{addr: ln.Addr().String(), transport: &http.Transport{}}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: upstream})
	rp.Transport = a.transport
	rp.FlushInterval = -1 // a streamed response goes through as it comes
	rp.ErrorLog = log.New(io.Discard, "", 0)
	rp.ModifyResponse = func(r *http.Response) error {
		if r.StatusCode == http.StatusOK && strings.HasSuffix(r.Request.URL.Path, "/runtime/invocation/next") {
			a.delivered.Add(1)
		}
		return nil
	}
	a.srv = &http.Server{Handler: rp}
	go a.srv.Serve(ln)
	return a, nil
}

func (a *runtimeAPI) close() {
	a.closeOnce.Do(func() {
		a.srv.Close()
		a.transport.CloseIdleConnections()
	})
}
