// Package logjson is a slog.Handler that writes one JSON object per record,
// in the same shape as slog.JSONHandler, at a fraction of its cost. The
// trigger writes a line per invocation, and slog.JSONHandler was the largest
// part of the handler's time.
package logjson

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Handler writes records as JSON lines.
type Handler struct {
	w       io.Writer
	mu      *sync.Mutex
	level   slog.Leveler
	pre     []byte   // encoded attrs from WithAttrs, inside the groups they opened
	open    int      // groups opened in pre
	pending []string // groups declared but not yet opened: slog omits empty ones
}

// New returns a handler writing to w records at or above level.
func New(w io.Writer, level slog.Leveler) *Handler {
	if level == nil {
		level = slog.LevelInfo
	}
	return &Handler{w: w, mu: &sync.Mutex{}, level: level}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

var bufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Handle implements slog.Handler.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	bp := bufs.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, '{')
	if !r.Time.IsZero() {
		b = append(b, `"time":"`...)
		b = r.Time.AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	b = append(b, `"level":`...)
	b = appendString(b, r.Level.String())
	b = append(b, `,"msg":`...)
	b = appendString(b, r.Message)
	b = append(b, ',')
	b = append(b, h.pre...)
	open := h.open
	if r.NumAttrs() > 0 {
		mark := len(b)
		for _, g := range h.pending {
			b = appendString(b, g)
			b = append(b, ':', '{')
		}
		body := len(b)
		r.Attrs(func(a slog.Attr) bool {
			b = appendAttr(b, a)
			return true
		})
		if len(b) == body {
			b = b[:mark] // only empty attrs: leave the pending groups out
		} else {
			open += len(h.pending)
		}
	}
	b = trimComma(b)
	for range open {
		b = append(trimComma(b), '}')
	}
	b = append(b, '}', '\n')
	h.mu.Lock()
	_, err := h.w.Write(b)
	h.mu.Unlock()
	*bp = b
	bufs.Put(bp)
	return err
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var enc []byte
	for _, a := range attrs {
		enc = appendAttr(enc, a)
	}
	if len(enc) == 0 {
		return h
	}
	n := *h
	n.pre = append([]byte(nil), h.pre...)
	for _, g := range h.pending {
		n.pre = appendString(n.pre, g)
		n.pre = append(n.pre, ':', '{')
	}
	n.pre = append(n.pre, enc...)
	n.open += len(h.pending)
	n.pending = nil
	return &n
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.pending = append(append([]string(nil), h.pending...), name)
	return &n
}

func trimComma(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == ',' {
		return b[:len(b)-1]
	}
	return b
}

// appendAttr appends `"key":value,`; an empty attr or group is dropped, as
// slog does.
func appendAttr(b []byte, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b
	}
	if a.Value.Kind() == slog.KindGroup {
		attrs := a.Value.Group()
		if len(attrs) == 0 {
			return b
		}
		if a.Key == "" { // inline
			for _, ga := range attrs {
				b = appendAttr(b, ga)
			}
			return b
		}
		b = appendString(b, a.Key)
		b = append(b, ':', '{')
		for _, ga := range attrs {
			b = appendAttr(b, ga)
		}
		return append(trimComma(b), '}', ',')
	}
	b = appendString(b, a.Key)
	b = append(b, ':')
	b = appendValue(b, a.Value)
	return append(b, ',')
}

func appendValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return appendString(b, v.String())
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		f := v.Float64()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return appendString(b, strconv.FormatFloat(f, 'g', -1, 64))
		}
		j, _ := json.Marshal(f) // encoding/json's float format, exactly
		return append(b, j...)
	case slog.KindDuration:
		return strconv.AppendInt(b, int64(v.Duration()), 10)
	case slog.KindTime:
		b = append(b, '"')
		b = v.Time().AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	}
	a := v.Any()
	if err, ok := a.(error); ok {
		return appendString(b, err.Error())
	}
	j, err := json.Marshal(a)
	if err != nil {
		return appendString(b, "!ERROR:"+err.Error())
	}
	return append(b, j...)
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string, escaping as encoding/json does
// for control characters, quotes, backslashes, U+2028/9 and invalid UTF-8.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
