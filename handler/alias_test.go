package handler

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/handler/guard"
	"github.com/autoconfirm/autoconfirm/presignup"
)

func TestRejectMessageNamesNoUser(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Policy = PolicyReject
	h, err := New(cfg, &guard.Funcs{Get: func(_ context.Context, _, name string) (guard.User, error) {
		return guard.VerifiedHolder("victim-user", presignup.AttrEmail, name), nil
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Invoke(context.Background(), mkEvent(presignup.SourceSignUp, `"email":"sam@example.com"`))
	var re *RejectError
	if !errors.As(err, &re) || !errors.Is(err, ErrAliasInUse) {
		t.Fatalf("err = %v, want a RejectError", err)
	}
	if want := "sign-up refused: the email address cannot be used because another account already uses it"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	for _, leak := range []string{"victim", "sam@example.com"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("message leaks %q", leak)
		}
	}
}

// recorder is a clean directory that records the values it is asked about.
type recorder struct {
	guard.Funcs
	mu    sync.Mutex
	names []string
}

func newRecorder(aliases func(context.Context, string) ([]string, error)) *recorder {
	r := &recorder{}
	r.Aliases = aliases
	r.Get = func(_ context.Context, _, name string) (guard.User, error) {
		r.mu.Lock()
		r.names = append(r.names, name)
		r.mu.Unlock()
		return guard.User{}, guard.ErrUserNotFound
	}
	return r
}

func (r *recorder) asked() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.names...)
}

func TestAliasAttributesLimitLookups(t *testing.T) {
	rec := newRecorder(nil)
	cfg := DefaultConfig()
	cfg.AutoAttributes, cfg.CheckPhone = false, false
	h, _ := New(cfg, rec, nil)
	out, err := h.Invoke(context.Background(), mkEvent(presignup.SourceSignUp, `"email":"a@example.com","phone_number":"+15555550100"`))
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.asked(); len(got) != 1 || got[0] != "a@example.com" || rec.Describes() != 0 {
		t.Errorf("asked about %q with %d DescribeUserPool calls, want only the email address and none", got, rec.Describes())
	}
	if !strings.Contains(string(out), `"autoVerifyEmail":true,"autoVerifyPhone":true`) {
		t.Errorf("response %s", out)
	}
}

func TestAutoAliasAttributes(t *testing.T) {
	event := mkEvent(presignup.SourceSignUp, `"email":"a@example.com","phone_number":"+15555550100"`)
	tests := []struct {
		name    string
		aliases func(context.Context, string) ([]string, error)
		asked   int
		warned  bool
	}{
		{"email and phone", func(context.Context, string) ([]string, error) {
			return []string{presignup.AttrEmail, presignup.AttrPhone}, nil
		}, 2, false},
		{"email only", func(context.Context, string) ([]string, error) { return []string{presignup.AttrEmail}, nil }, 1, false},
		{"email as username", func(context.Context, string) ([]string, error) { return nil, nil }, 0, false},
		{"unreadable", func(context.Context, string) ([]string, error) { return nil, errors.New("AccessDeniedException") }, 2, true},
		{"too slow", func(ctx context.Context, _ string) ([]string, error) {
			time.Sleep(300 * time.Millisecond)
			return []string{presignup.AttrEmail}, nil
		}, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(tt.aliases)
			var log bytes.Buffer
			cfg := DefaultConfig()
			cfg.LookupTimeout = 100 * time.Millisecond
			h, _ := New(cfg, rec, slog.New(slog.NewJSONHandler(&log, nil)))
			for i := range 3 {
				before := len(rec.asked())
				out, err := h.Invoke(context.Background(), event)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(out), `"autoVerifyEmail":true,"autoVerifyPhone":true`) {
					t.Errorf("invocation %d: response %s", i, out)
				}
				// The slow read fills the cache for the invocations after it.
				want := tt.asked
				if tt.name == "too slow" && i > 0 {
					time.Sleep(300 * time.Millisecond)
					want = 1
				}
				if n := len(rec.asked()) - before; i != 1 && n != want {
					t.Errorf("invocation %d: %d lookups, want %d", i, n, want)
				}
			}
			if n := rec.Describes(); n != 1 {
				t.Errorf("%d DescribeUserPool calls for three sign-ups, want 1", n)
			}
			if got := strings.Count(log.String(), "DescribeUserPool failed"); got != map[bool]int{true: 1, false: 0}[tt.warned] {
				t.Errorf("%d warnings about DescribeUserPool, want it logged once if at all:\n%s", got, log.String())
			}
		})
	}
}

// TestSimultaneousSignUpsBothVerified documents what no check-then-verify
// guard can promise: two sign-ups with one new address, checked at the same
// moment, both find it free and both are verified. Cognito then leaves the
// alias with whichever is confirmed last.
func TestSimultaneousSignUpsBothVerified(t *testing.T) {
	var arrived sync.WaitGroup
	arrived.Add(2)
	dir := &guard.Funcs{Get: func(context.Context, string, string) (guard.User, error) {
		arrived.Done()
		arrived.Wait() // both lookups see the pool before either sign-up lands
		return guard.User{}, guard.ErrUserNotFound
	}}
	cfg := DefaultConfig()
	cfg.AutoAttributes = false
	h, _ := New(cfg, dir, nil)
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	for i := range 2 {
		wg.Go(func() {
			outs[i], _ = h.Invoke(context.Background(), mkEvent(presignup.SourceSignUp, `"email":"same@example.com"`))
		})
	}
	wg.Wait()
	for i, out := range outs {
		if !strings.Contains(string(out), `"autoVerifyEmail":true`) {
			t.Errorf("sign-up %d: %s", i, out)
		}
	}
}
