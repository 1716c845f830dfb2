package cognito

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/handler"
)

// BenchmarkGuardLatency measures a whole invocation through the real SDK
// against a fake pool that takes 50 ms per ListUsers call. Two attributes
// should cost about what one does, because the lookups run concurrently.
func BenchmarkGuardLatency(b *testing.B) {
	events := []struct{ name, attrs string }{
		{"attributes=0", `"given_name":"A"`},
		{"attributes=1", `"email":"a@example.com"`},
		{"attributes=2", `"email":"a@example.com","phone_number":"+15555550100"`},
	}
	for _, ev := range events {
		b.Run(ev.name, func(b *testing.B) {
			fake, l := newFake(b)
			fake.SetLatency(50 * time.Millisecond)
			h, err := handler.New(handler.DefaultConfig(), l, slog.New(slog.DiscardHandler))
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
