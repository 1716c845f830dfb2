package rie

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// TestTimeoutCountsFromTheEvent: the function's timeout counts from the
// moment the runtime took the event, not from the start of its init, which
// has a limit of its own; the runtime's deadline says so too. A handler past
// the timeout is timed out, and its environment is reset. An init past its
// own limit is run within the invocation, under the function's timeout.
func TestTimeoutCountsFromTheEvent(t *testing.T) {
	tests := []struct {
		name      string
		timeout   time.Duration
		initLimit time.Duration
		initMS    string
		event     string
		timedOut  bool
		initLog   bool // the log reports an init timeout
	}{
		{"an init longer than the timeout, within its limit", time.Second, 5 * time.Second, "1500", `{}`, false, false},
		{"a handler longer than the timeout", time.Second, 5 * time.Second, "0", `{"sleep_ms": 1500}`, true, false},
		{"an init past its limit, then past the timeout", time.Second, 500 * time.Millisecond, "1500", `{}`, true, true},
		{"an init past its limit, within a longer timeout", 3 * time.Second, 500 * time.Millisecond, "1500", `{}`, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &Log{}
			cfg := Config{Timeout: tt.timeout, Logs: logs, initLimit: tt.initLimit}
			p := startTestRuntimeWith(t, cfg, "RIE_TEST_RUNTIME=serve", "RIE_TEST_INIT_MS="+tt.initMS)
			r := mustInvoke(t, p, context.Background(), tt.event)
			if r.TimedOut != tt.timedOut || !r.Cold {
				t.Fatalf("timed out %v, cold %v, want timed out %v, cold: %s", r.TimedOut, r.Cold, tt.timedOut, r.Body)
			}
			if got := bytes.Contains(logs.Bytes(), []byte("Phase: init\tStatus: timeout")); got != tt.initLog {
				t.Errorf("the log reports an init timeout: %v, want %v", got, tt.initLog)
			}
			if r.TimedOut {
				if r.ErrorType != "Sandbox.Timedout" || !bytes.Contains(r.Body, []byte("Task timed out after")) {
					t.Errorf("not Lambda's timeout: %s", r.Body)
				}
				if next := mustInvoke(t, p, context.Background(), `{}`); !next.Cold {
					t.Errorf("the invocation after a timeout did not start cold")
				}
				return
			}
			pidOf(t, r)
			if left := time.Duration(gjson.GetBytes(r.Body, "left_ms").Int()) * time.Millisecond; left <= 0 || left > cfg.Timeout {
				t.Errorf("the runtime's deadline was %s away when it took the event, want within the timeout, %s", left, cfg.Timeout)
			}
		})
	}
}
