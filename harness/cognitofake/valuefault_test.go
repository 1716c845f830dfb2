package cognitofake

import (
	"testing"
	"time"
)

// TestValueFault: a fault on one value fails or delays only the lookups of
// that value, in any letter case and by either operation, with the error
// Cognito sends; every other call is answered as before.
func TestValueFault(t *testing.T) {
	const held = "Sam@Example.com"
	tests := []struct {
		name       string
		fault      Fault
		delay      time.Duration
		op         string
		in         map[string]any
		wantStatus int
		wantType   string
	}{
		{"ListUsers of the value, throttled", FaultThrottle, 0, OpListUsers, map[string]any{"UserPoolId": "p", "Filter": `email = "sam@example.com"`}, 400, "TooManyRequestsException"},
		{"AdminGetUser of the value, throttled", FaultThrottle, 0, OpAdminGetUser, map[string]any{"UserPoolId": "p", "Username": "SAM@example.com"}, 400, "TooManyRequestsException"},
		{"ListUsers of the value, internal error", Fault500, 0, OpListUsers, map[string]any{"UserPoolId": "p", "Filter": `email ^= "sam@example.com"`}, 500, "InternalErrorException"},
		{"another value answers", FaultThrottle, 0, OpListUsers, map[string]any{"UserPoolId": "p", "Filter": `email = "kim@example.com"`}, 200, ""},
		{"another user answers", Fault500, 0, OpAdminGetUser, map[string]any{"UserPoolId": "p", "Username": "kim"}, 200, ""},
		{"the pool's configuration answers", Fault500, 0, OpDescribeUserPool, map[string]any{"UserPoolId": "p"}, 200, ""},
		{"a late answer is the right one", FaultNone, 300 * time.Millisecond, OpAdminGetUser, map[string]any{"UserPoolId": "p", "Username": held}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			defer s.Close()
			s.Seed("p",
				User{Username: "sam", Enabled: true, Attributes: attrs("email", held, "email_verified", "true")},
				User{Username: "kim", Enabled: true, Attributes: attrs("email", "kim@example.com", "email_verified", "true")},
			)
			s.SetValueFault(held, tt.fault, tt.delay)
			start := time.Now()
			status, typ, out := call(t, s, tt.op, tt.in)
			if status != tt.wantStatus || typ != tt.wantType {
				t.Errorf("got %d %q, want %d %q (%v)", status, typ, tt.wantStatus, tt.wantType, out)
			}
			if took := time.Since(start); took < tt.delay {
				t.Errorf("answered after %s, before the fault's delay of %s", took, tt.delay)
			}
			if tt.delay > 0 && out["Username"] != "sam" {
				t.Errorf("the late answer is not the holder: %v", out)
			}
		})
	}
}
