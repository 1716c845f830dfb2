package handler

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/logjson"
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
		h, _ := New(cfg, nil, slog.New(logjson.New(io.Discard, level)))
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

// BenchmarkTypedFloor is what the typed design cannot go below: decoding into
// the aws-lambda-go event type and encoding it back, with no logic at all.
func BenchmarkTypedFloor(b *testing.B) {
	for _, name := range benchFixtures {
		p := loadBench(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var ev events.CognitoEventUserPoolsPreSignup
				if err := json.Unmarshal(p, &ev); err != nil {
					b.Fatal(err)
				}
				ev.Response.AutoConfirmUser = true
				if _, err := json.Marshal(&ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRawFloor is the least a raw-bytes design must do: copy the event
// and read the two attributes.
func BenchmarkRawFloor(b *testing.B) {
	for _, name := range benchFixtures {
		p := loadBench(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out := append([]byte(nil), p...)
				_ = gjson.GetBytes(out, "request.userAttributes.email")
				_ = gjson.GetBytes(out, "request.userAttributes.phone_number")
			}
		})
	}
}
