package stack

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// TestResolverFaults: a fault the runner injects through the control fails
// or delays the trigger's lookups of that value alone, with the error
// Cognito sends, until the runner clears it; the control takes only the
// faults Cognito itself sends.
func TestResolverFaults(t *testing.T) {
	upstream := cognitoLocal(t)
	defer upstream.Close()
	r, err := newAliasResolver(upstream.URL, []string{"email", "phone_number"})
	if err != nil {
		t.Fatal(err)
	}
	r.faults = newFaultSet()
	srv := httptest.NewServer(r)
	defer srv.Close()
	control := httptest.NewServer(r.faults)
	defer control.Close()
	faults := targets.NewFaultClient(control.URL)
	ctx := context.Background()

	lookup := func(op, body string) (int, string) {
		return callOp(t, srv.URL, op, body)
	}
	held := `{"UserPoolId":"p","Filter":"email = \"sam@example.com\""}`
	tests := []struct {
		name       string
		fault      targets.Fault
		op, body   string
		wantStatus int
		wantText   string
	}{
		{"ListUsers, throttled", targets.FaultThrottle, "ListUsers", held, 400, `"__type":"TooManyRequestsException"`},
		{"AdminGetUser, internal error", targets.FaultServerError, "AdminGetUser", `{"UserPoolId":"p","Username":"SAM@example.com"}`, 500, `"__type":"InternalErrorException"`},
		{"another value", targets.FaultThrottle, "ListUsers", `{"UserPoolId":"p","Filter":"phone_number = \"+15555550100\""}`, 200, "unverified-holder"},
		{"late, then right", targets.FaultLate, "ListUsers", held, 200, "verified-holder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := faults.Inject(ctx, targets.FaultRequest{Value: "Sam@Example.com", Fault: tt.fault, Delay: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			status, body := lookup(tt.op, tt.body)
			if status != tt.wantStatus || !strings.Contains(body, tt.wantText) {
				t.Errorf("got %d %s, want %d with %s", status, body, tt.wantStatus, tt.wantText)
			}
			if tt.wantStatus != 200 || tt.fault == targets.FaultLate {
				if took := time.Since(start); took < 200*time.Millisecond {
					t.Errorf("answered after %s, before the fault's delay", took)
				}
			}
			if err := faults.Clear(ctx, id); err != nil {
				t.Fatal(err)
			}
			if status, body := lookup("ListUsers", held); status != 200 || !strings.Contains(body, "verified-holder") {
				t.Errorf("after the fault was cleared: %d %s", status, body)
			}
		})
	}
	if _, err := faults.Inject(ctx, targets.FaultRequest{Value: "sam@example.com", Fault: targets.FaultHang}); err == nil {
		t.Error("the control took a fault Cognito does not send")
	}
}
