package conformance

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// failOpen is a guard with `catch { verify anyway }`: it verifies a value
// whose lookups the pool throttled or failed.
type failOpen struct{ *targets.InProcess }

func (f failOpen) Run(ctx context.Context, in *targets.Input) (*targets.Observation, error) {
	flags := map[string]string{"email": "response.autoVerifyEmail", "phone_number": "response.autoVerifyPhone"}
	return handlerStyle{f.InProcess, func(_ []byte, obs *targets.Observation) {
		for _, vf := range in.ValueFaults {
			if vf.Fault != targets.FaultLate && !obs.Refused {
				set(obs, flags[vf.Attr], true)
			}
		}
	}}.Run(ctx, in)
}

// TestLookupFaultsInProcess: under throttling, internal errors and late
// answers from the fake, autoconfirm's handler keeps every alias, and a
// guard that verifies anyway fails alias-safe on the throttled and failed
// lookups, with a message that names the fault.
func TestLookupFaultsInProcess(t *testing.T) {
	tests := []struct {
		name    string
		target  targets.Target
		status  int
		summary string
		says    []string
	}{
		{"autoconfirm itself", targets.NewInProcess(), ExitPass, "6 scenarios (6 passed)", nil},
		{"failing open", failOpen{targets.NewInProcess()}, ExitFailed, "6 scenarios (2 passed, 4 failed)", []string{
			"every lookup of it is throttled",
			"were throttled (TooManyRequestsException), and the handler verified it anyway",
			"failed (InternalErrorException), and the handler verified it anyway",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			res := Run(context.Background(), Options{Target: tt.target, Content: autoconfirm.Content(), Format: "progress", Tags: "@lookup-faults",
				Profiles: []string{ProfileAliasSafe}, Concurrency: 4, Output: &out, Errors: &out, NoColors: true})
			if res.Status != tt.status || !strings.Contains(out.String(), tt.summary) {
				t.Errorf("status %d, want %d with %q\n%s", res.Status, tt.status, tt.summary, tail(out.String()))
			}
			for _, s := range tt.says {
				if !strings.Contains(out.String(), s) {
					t.Errorf("the run does not say %q", s)
				}
			}
		})
	}
}
