package cognito

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
)

// BenchmarkGuardLatency measures a whole invocation through the real SDK
// against a fake pool that takes 50 ms per call, in each lookup mode. Two
// attributes should cost about what one does, because the lookups run
// concurrently.
func BenchmarkGuardLatency(b *testing.B) {
	events := []struct{ name, attrs string }{
		{"attributes=0", `"given_name":"A"`},
		{"attributes=1", `"email":"a@example.com"`},
		{"attributes=2", `"email":"a@example.com","phone_number":"+15555550100"`},
	}
	for _, mode := range []handler.LookupMode{handler.LookupAdminGetUser, handler.LookupListUsers} {
		for _, ev := range events {
			b.Run(string(mode)+"/"+ev.name, func(b *testing.B) {
				fake, d := newFake(b)
				fake.CreatePool("p", cognitofake.DefaultPoolConfig)
				fake.SetQuotas(cognitofake.Quotas{})
				fake.SetLatency(50 * time.Millisecond)
				cfg := handler.DefaultConfig()
				cfg.Lookup, cfg.AutoAttributes = mode, false
				h, err := handler.New(cfg, d, slog.New(slog.DiscardHandler))
				if err != nil {
					b.Fatal(err)
				}
				payload := []byte(`{"triggerSource":"PreSignUp_SignUp","userPoolId":"p","userName":"u","request":{"userAttributes":{` + ev.attrs + `}},"response":{}}`)
				b.ResetTimer()
				for b.Loop() {
					if _, err := h.Invoke(context.Background(), payload); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
			})
		}
	}
}
