package handler

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/autoconfirm/autoconfirm/internal/baseline"
)

// benchFixtures are the main sign-up cases.
var benchFixtures = []string{"email-only", "phone-only", "email-and-phone", "neither"}

func loadBench(b *testing.B, name string) []byte {
	p, err := os.ReadFile("../fixtures/" + name + ".json")
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkInvoke is the handler through aws-lambda-go's Invoke path with the
// production JSON logger (to io.Discard). Policy allow: no lookups, as in the
// article's handler, so the comparison is like for like.
func BenchmarkInvoke(b *testing.B) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
		cfg := DefaultConfig()
		cfg.Policy = PolicyAllow
		h, _ := New(cfg, nil, slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level})))
		inv := lambda.NewHandler(h)
		for _, name := range benchFixtures {
			p := loadBench(b, name)
			b.Run("log="+level.String()+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(p)))
				for b.Loop() {
					if _, err := inv.Invoke(context.Background(), p); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkFloors measures the baselines beside the handler: the typed
// design's floor and the raw-bytes design's.
func BenchmarkFloors(b *testing.B) {
	for _, name := range benchFixtures {
		p := loadBench(b, name)
		b.Run("typed/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := baseline.Typed(p); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("raw/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				baseline.Raw(p)
			}
		})
	}
}
