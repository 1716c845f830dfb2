package rie

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestReplyIsBounded: the host reads at most maxReply of an answer, which
// the emulator never exceeds; whatever sits on its socket instead cannot
// make the runner hold more.
func TestReplyIsBounded(t *testing.T) {
	for _, tt := range []struct {
		name string
		size int
		ok   bool
	}{
		{"Lambda's largest answer", 6 << 20, true},
		{"more than the emulator sends", maxReply + 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Write(bytes.Repeat([]byte("x"), tt.size))
			}))
			defer srv.Close()
			in := &instance{url: srv.URL, client: srv.Client()}
			r := in.send([]byte(`{}`))
			if (r.err == nil) != tt.ok || (tt.ok && len(r.body) != tt.size) {
				t.Errorf("read %d bytes, error %v; want success: %v", len(r.body), r.err, tt.ok)
			}
		})
	}
}
