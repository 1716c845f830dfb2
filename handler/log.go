package handler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/presignup"
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
		slog.String("triggerSource", h.safeSource(d.Source)),
		slog.String("decision", decision),
		slog.Bool("autoConfirmUser", d.Flags.Confirm),
		slog.Bool("autoVerifyEmail", d.Flags.VerifyEmail),
		slog.Bool("autoVerifyPhone", d.Flags.VerifyPhone),
	)
	// The rest in one call: a record holds five attributes inline and
	// grows once for the others.
	user := slog.Attr{}
	if d.User != "" {
		user = slog.String("user", h.userHash(d.User))
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
		if s := d.Source; s != "" && h.safeSource(s) != s {
			msg = strings.ReplaceAll(msg, quoteSource(s), h.safeSource(s))
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
func (h *Handler) safeSource(s string) string {
	switch s {
	case presignup.SourceSignUp, presignup.SourceAdminCreateUser, presignup.SourceExternalProvider, "":
		return s
	}
	if len(s) > 64 || strings.ContainsAny(s, "@+") {
		return "other:" + h.userHash(s)
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

// userHash is a short stand-in for a personal value, for correlating log
// lines. It is HMAC-SHA256 under a key made when the instance starts: an
// unkeyed hash of a username that is an email address is reversed with a
// dictionary, a keyed one is not. Lines of one user correlate within one
// instance, not across instances or restarts.
func (h *Handler) userHash(v string) string {
	m := h.hashers.Get().(hash.Hash) // an HMAC keyed once, reset for each use
	m.Reset()
	m.Write([]byte(v))
	var sum [sha256.Size]byte
	m.Sum(sum[:0])
	h.hashers.Put(m)
	return hex.EncodeToString(sum[:8])
}
