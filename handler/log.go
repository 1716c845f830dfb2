package handler

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// log writes the one structured line of an invocation. It never writes an
// email address, phone number or username: only outcomes, flags and a short
// hash of the username, so that lines of one user can be correlated.
func (h *Handler) log(ctx context.Context, d Decision, err error, took time.Duration) {
	level := slog.LevelInfo
	decision := "confirm"
	switch {
	case err != nil && errors.Is(err, ErrAliasInUse):
		level, decision = slog.LevelWarn, "reject"
	case err != nil:
		level, decision = slog.LevelError, "error"
	case d.Unchanged:
		decision = "unchanged"
	case len(d.LookupErrors) > 0:
		level = slog.LevelWarn
	}
	if !h.logger.Handler().Enabled(ctx, level) {
		return
	}
	// A record handed straight to the handler: Logger.LogAttrs would first
	// walk the stack for a source location nobody reads, which costs more
	// than the rest of the invocation.
	r := slog.NewRecord(time.Now(), level, "presignup", 0)
	r.AddAttrs(
		slog.String("triggerSource", safeSource(d.Source)),
		slog.String("decision", decision),
		slog.Bool("autoConfirmUser", d.Flags.Confirm),
		slog.Bool("autoVerifyEmail", d.Flags.VerifyEmail),
		slog.Bool("autoVerifyPhone", d.Flags.VerifyPhone),
	)
	// The rest in one call: a record holds five attributes inline and
	// grows once for the others.
	user := slog.Attr{}
	if d.User != "" {
		user = slog.String("user", ShortHash(d.User))
	}
	r.AddAttrs(
		slog.String("email", string(d.Email)),
		slog.String("phone_number", string(d.Phone)),
		slog.Int64("duration_us", took.Microseconds()), // an integer: slog encodes floats through encoding/json
		user, // an empty Attr is dropped
	)
	var attrs []slog.Attr
	if err != nil {
		// Event errors quote only the trigger source, never attribute values;
		// a source that looks personal is replaced by its hash.
		msg := err.Error()
		if s := d.Source; s != "" && safeSource(s) != s {
			msg = strings.ReplaceAll(msg, quoteSource(s), safeSource(s))
		}
		attrs = append(attrs, slog.String("error", msg))
	}
	for _, le := range d.LookupErrors {
		attrs = append(attrs, slog.String("lookup_error", le.Error()))
	}
	r.AddAttrs(attrs...)
	h.logger.Handler().Handle(ctx, r)
}

// safeSource keeps a hostile triggerSource from smuggling data into the log.
func safeSource(s string) string {
	switch s {
	case SourceSignUp, SourceAdminCreateUser, SourceExternalProvider, "":
		return s
	}
	if len(s) > 64 || strings.ContainsAny(s, "@+") {
		return "other:" + ShortHash(s)
	}
	return s
}

// quoteSource quotes a trigger source for an error message, cut short so a
// hostile payload cannot make the error huge.
func quoteSource(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}

// ShortHash is a stable, short stand-in for a personal value, for
// correlating log lines. It is FNV-1a: a short value can be guessed from any
// unsalted hash, cryptographic or not, so the cheap one serves as well.
func ShortHash(v string) string {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(v); i++ {
		h = (h ^ uint64(v[i])) * prime
	}
	var b [16]byte
	const digits = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		b[i] = digits[h&0xf]
		h >>= 4
	}
	return string(b[:])
}

// MaskEmail keeps only the domain of an address.
func MaskEmail(v string) string {
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		return "***" + v[at:]
	}
	return "***"
}

// MaskPhone keeps only the last two digits of a number.
func MaskPhone(v string) string {
	if len(v) < 4 {
		return "***"
	}
	return "***" + v[len(v)-2:]
}

// discard is a slog.Handler that drops everything.
type discard struct{}

func (discard) Enabled(context.Context, slog.Level) bool  { return false }
func (discard) Handle(context.Context, slog.Record) error { return nil }
func (d discard) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discard) WithGroup(string) slog.Handler           { return d }
