package logjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"
)

var when = time.Date(2026, 11, 25, 20, 11, 13, 123456789, time.UTC)

// same writes a record through this handler and slog.JSONHandler, each set
// up by wrap, and requires equal JSON.
func same(t *testing.T, wrap func(slog.Handler) slog.Handler, attrs ...slog.Attr) {
	t.Helper()
	var ours, std bytes.Buffer
	for _, h := range []slog.Handler{wrap(New(&ours, slog.LevelDebug)), wrap(slog.NewJSONHandler(&std, &slog.HandlerOptions{Level: slog.LevelDebug}))} {
		r := slog.NewRecord(when, slog.LevelWarn, "presignup", 0)
		r.AddAttrs(attrs...)
		if err := h.Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	var a, b any
	if err := json.Unmarshal(ours.Bytes(), &a); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, ours.Bytes())
	}
	json.Unmarshal(std.Bytes(), &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("\nours %s\nslog %s", ours.Bytes(), std.Bytes())
	}
	if bytes.Count(ours.Bytes(), []byte("\n")) != 1 {
		t.Errorf("want one line, got %q", ours.Bytes())
	}
}

func TestSameAsSlogJSON(t *testing.T) {
	id := func(h slog.Handler) slog.Handler { return h }
	tests := []struct {
		name  string
		wrap  func(slog.Handler) slog.Handler
		attrs []slog.Attr
	}{
		{"plain", id, []slog.Attr{slog.String("triggerSource", "PreSignUp_SignUp"), slog.Bool("autoConfirmUser", true), slog.Float64("duration_ms", 0.125)}},
		{"escapes", id, []slog.Attr{slog.String("s", "quote\" backslash\\ nl\n tab\t nul\x00 bad\xff utf8 ü \u2028 <&>")}},
		{"numbers", id, []slog.Attr{slog.Int("i", -7), slog.Uint64("u", 7), slog.Float64("big", 1e21), slog.Float64("small", 1e-7), slog.Duration("d", 1500*time.Millisecond)}},
		{"time", id, []slog.Attr{slog.Time("t", when)}},
		{"group", id, []slog.Attr{slog.Group("g", slog.String("a", "1"), slog.Bool("b", false)), slog.Group("empty")}},
		{"any", id, []slog.Attr{slog.Any("err", errors.New("boom")), slog.Any("m", map[string]int{"x": 1})}},
		{"empty attr", id, []slog.Attr{{}, slog.String("k", "v")}},
		{"with attrs and groups", func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.String("service", "autoconfirm")}).WithGroup("req").WithAttrs([]slog.Attr{slog.Int("n", 1)}).WithGroup("inner")
		}, []slog.Attr{slog.String("x", "y")}},
		{"empty group left out", func(h slog.Handler) slog.Handler { return h.WithGroup("unused") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { same(t, tt.wrap, tt.attrs...) })
	}
}

func TestLevel(t *testing.T) {
	h := New(io.Discard, slog.LevelWarn)
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelError) {
		t.Error("level filter wrong")
	}
}

// BenchmarkHandle compares the two handlers on the trigger's log line.
func BenchmarkHandle(b *testing.B) {
	for _, bc := range []struct {
		name string
		h    slog.Handler
	}{{"logjson", New(io.Discard, nil)}, {"slog.JSONHandler", slog.NewJSONHandler(io.Discard, nil)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := slog.NewRecord(time.Now(), slog.LevelInfo, "presignup", 0)
				r.AddAttrs(slog.String("triggerSource", "PreSignUp_SignUp"), slog.String("decision", "confirm"),
					slog.Bool("autoConfirmUser", true), slog.Bool("autoVerifyEmail", true), slog.Bool("autoVerifyPhone", false),
					slog.String("email", "clean"), slog.String("phone_number", "absent"), slog.Int64("duration_us", 12), slog.String("user", "0a1b2c3d4e5f"))
				bc.h.Handle(context.Background(), r)
			}
		})
	}
}
