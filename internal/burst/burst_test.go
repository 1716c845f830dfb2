package burst

import (
	"context"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/handler"
)

// TestBurstCounts checks the accounting of a small burst in each mode: every
// sign-up is counted once, and a conflict is never verified. It asserts no
// speed: that is what make bench reports.
func TestBurstCounts(t *testing.T) {
	for _, mode := range []handler.LookupMode{handler.LookupAdminGetUser, handler.LookupListUsers} {
		t.Run(string(mode), func(t *testing.T) {
			cfg := handler.DefaultConfig()
			cfg.Lookup = mode
			res, err := Run(context.Background(), Config{
				Rate: 20, Duration: time.Second, Aliases: []string{"email", "phone_number"}, ConflictEvery: 4,
				MaxInstances: 4, NewInstance: InProcess(cfg),
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.SignUps != 20 || res.Conflicts != 5 || res.Clean != 15 || res.Refused != 0 {
				t.Errorf("counts %+v, want 20 sign-ups: 5 conflicts, 15 clean", res)
			}
			if res.ConflictsVerified != 0 {
				t.Errorf("%d conflicts verified", res.ConflictsVerified)
			}
			if res.Calls < 40 || res.Instances < 1 || res.Instances > 4 {
				t.Errorf("%d lookups over %d instances; want two per sign-up, at most 4 instances", res.Calls, res.Instances)
			}
		})
	}
}
