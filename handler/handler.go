// Package handler is the Cognito pre sign-up trigger: it confirms new users and
// verifies their email address and phone number, after checking that no other
// user already holds them as verified aliases.
//
// The handler works on the raw event bytes. It reads the few fields it needs
// with gjson and splices a new "response" into the original bytes, so every
// other byte of the event comes back exactly as it came in.
package handler

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/autoconfirm/autoconfirm/handler/guard"
	"github.com/autoconfirm/autoconfirm/presignup"
)

// Handler is the pre sign-up trigger. Its Invoke method has the signature
// aws-lambda-go uses without reflection or JSON work of its own.
type Handler struct {
	cfg     Config
	guard   *guard.Guard
	logger  *slog.Logger
	hashers sync.Pool // HMAC-SHA256 under a key made per instance, for the log
}

// New builds a handler. dir may be nil only when cfg.NeedsLookups() is
// false; logger may be nil to log nothing.
func New(cfg Config, dir guard.Directory, logger *slog.Logger) (*Handler, error) {
	if cfg.NeedsLookups() && dir == nil {
		return nil, fmt.Errorf("ALIAS_POLICY=%s needs a Cognito client for its lookups, and none was given", cfg.Policy)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand)
	h := &Handler{cfg: cfg, logger: logger}
	h.hashers.New = func() any { return hmac.New(sha256.New, key) }
	h.guard = guard.New(dir, guard.Config{
		Mode:           cfg.Lookup,
		AutoAttributes: cfg.AutoAttributes && cfg.NeedsLookups(),
		Timeout:        cfg.LookupTimeout,
		Reserve:        cfg.LookupReserve,
		MaxPages:       cfg.MaxPages,
		Warn: func(err error) {
			logger.Warn("alias-attributes", "error", "DescribeUserPool failed, so both email and phone_number are looked up until it succeeds: "+err.Error())
		},
	})
	return h, nil
}

// ErrAliasInUse is returned under ALIAS_POLICY=reject when another user holds
// the email address or phone number as a verified alias.
var ErrAliasInUse = errors.New("already in use")

// RejectError carries the reject policy's refusal. Its message names the
// attribute, never the user who holds it.
type RejectError struct{ Attrs []string }

func (e *RejectError) Error() string {
	return "sign-up refused: the " + strings.Join(e.Attrs, " and the ") + " cannot be used because another account already uses it"
}

// Unwrap lets callers test errors.Is(err, ErrAliasInUse).
func (e *RejectError) Unwrap() error { return ErrAliasInUse }

// Flags are the three response flags.
type Flags struct {
	Confirm, VerifyEmail, VerifyPhone bool
}

// Decision is what one invocation decided, for the response and the log.
type Decision struct {
	Source       string
	User         string // the event's userName; logged only as a hash
	Flags        Flags
	Unchanged    bool // the event was returned as it came
	Email, Phone guard.Outcome
	LookupErrors []error
}

// Invoke handles one raw event and returns the event with its new response.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	start := time.Now()
	out, d, err := h.handle(ctx, payload)
	h.log(ctx, d, err, time.Since(start))
	return out, err
}

func (h *Handler) handle(ctx context.Context, payload []byte) ([]byte, Decision, error) {
	ev, err := parse(payload)
	d := Decision{Source: ev.source, User: ev.userName, Email: guard.NotApplied, Phone: guard.NotApplied}
	if err != nil {
		return nil, d, err
	}
	switch ev.source {
	case presignup.SourceAdminCreateUser:
		// Cognito ignores all three flags here; echo the event untouched.
		d.Unchanged = true
		return payload, d, nil
	case presignup.SourceExternalProvider:
		// The IdP has confirmed the user already, and Cognito overwrites mapped
		// attributes (email_verified included) at every federated sign-in, so a
		// verify flag would not last. Confirm only.
		d.Flags.Confirm = true
	case presignup.SourceSignUp:
		d = h.decideSignUp(ctx, ev)
		if conflicts := d.rejected(h.cfg.Policy); len(conflicts) > 0 {
			return nil, d, &RejectError{Attrs: conflicts}
		}
	default:
		return nil, d, &EventError{msg: fmt.Sprintf("unsupported triggerSource %s: this function is the pre sign-up trigger and handles only %s, %s and %s; it is wired to the wrong Cognito trigger",
			quoteSource(ev.source), presignup.SourceSignUp, presignup.SourceAdminCreateUser, presignup.SourceExternalProvider)}
	}
	return splice(payload, ev, d.Flags), d, nil
}

// decideSignUp sets the flags for PreSignUp_SignUp.
func (h *Handler) decideSignUp(ctx context.Context, ev event) Decision {
	d := Decision{Source: ev.source, User: ev.userName, Flags: Flags{Confirm: true}}
	d.Email = candidate(ev.email, presignup.PlausibleEmail)
	d.Phone = candidate(ev.phone, presignup.ValidE164)

	var cands [2]guard.Lookup
	n := 0
	if d.Email == guard.Unchecked && h.cfg.Policy != PolicyAllow && (h.cfg.CheckEmail || h.cfg.AutoAttributes) {
		cands[n] = guard.Lookup{Attr: presignup.AttrEmail, Value: ev.email.value}
		n++
	}
	if d.Phone == guard.Unchecked && h.cfg.Policy != PolicyAllow && (h.cfg.CheckPhone || h.cfg.AutoAttributes) {
		cands[n] = guard.Lookup{Attr: presignup.AttrPhone, Value: ev.phone.value}
		n++
	}
	if n > 0 {
		self := guard.Self{Username: ev.userName, Sub: ev.sub}
		for i, r := range h.guard.Check(ctx, ev.poolID, self, cands[:n]) {
			if cands[i].Attr == presignup.AttrEmail {
				d.Email = r.Outcome
			} else {
				d.Phone = r.Outcome
			}
			if r.Err != nil {
				// The error goes to the log: keep the value out of it,
				// whatever the directory quoted.
				v := cands[i].Value
				msg := strings.ReplaceAll(r.Err.Error(), strings.ReplaceAll(v, `"`, `\"`), "<redacted>")
				msg = strings.ReplaceAll(msg, v, "<redacted>")
				d.LookupErrors = append(d.LookupErrors, fmt.Errorf("%s: %s", cands[i].Attr, msg))
			}
		}
	}
	// A verify flag is only ever set together with autoConfirmUser.
	d.Flags.VerifyEmail = d.Flags.Confirm && d.Email.Verified()
	d.Flags.VerifyPhone = d.Flags.Confirm && d.Phone.Verified()
	return d
}

// candidate classifies an attribute before any lookup.
func candidate(a attr, valid func(string) bool) guard.Outcome {
	switch {
	case !a.present:
		return guard.Absent
	case !a.isStr || !valid(a.value):
		return guard.Invalid
	}
	return guard.Unchecked
}

// rejected lists the conflicting attributes when the policy refuses them.
func (d Decision) rejected(p Policy) []string {
	if p != PolicyReject {
		return nil
	}
	var out []string
	if d.Email == guard.Conflict {
		out = append(out, "email address")
	}
	if d.Phone == guard.Conflict {
		out = append(out, "phone number")
	}
	return out
}

// responses holds the eight possible response objects, indexed by flag bits.
var responses = func() (r [8]string) {
	for i := range r {
		r[i] = fmt.Sprintf(`{"autoConfirmUser":%t,"autoVerifyEmail":%t,"autoVerifyPhone":%t}`, i&1 != 0, i&2 != 0, i&4 != 0)
	}
	return r
}()

func (f Flags) json() string {
	i := 0
	if f.Confirm {
		i |= 1
	}
	if f.VerifyEmail {
		i |= 2
	}
	if f.VerifyPhone {
		i |= 4
	}
	return responses[i]
}

// splice returns a copy of payload whose "response" value is the new flags.
// Whatever stood there before (flags, {}, null) is replaced; if there was no
// response member, one is added at the end of the object.
func splice(payload []byte, ev event, f Flags) []byte {
	resp := f.json()
	out := make([]byte, 0, len(payload)+len(resp)+16)
	if ev.respStart >= 0 {
		out = append(out, payload[:ev.respStart]...)
		out = append(out, resp...)
		return append(out, payload[ev.respEnd:]...)
	}
	out = append(out, payload[:ev.closeBrace]...)
	if !ev.emptyRoot {
		out = append(out, ',')
	}
	out = append(out, `"response":`...)
	out = append(out, resp...)
	return append(out, payload[ev.closeBrace:]...)
}
