package handler

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// listerFunc adapts a function to UserLister.
type listerFunc func(ctx context.Context, poolID, filter, token string) (Page, error)

func (f listerFunc) ListUsers(ctx context.Context, poolID, filter, token string) (Page, error) {
	return f(ctx, poolID, filter, token)
}

func verifiedHolder(name, attr, value string) User {
	return User{Username: name, Attributes: map[string]string{attr: value, attr + "_verified": "true", "sub": name + "-sub"}}
}

func TestFilter(t *testing.T) {
	tests := []struct {
		value, want, err string
	}{
		{"jane@example.com", `email = "jane@example.com"`, ""},
		{`o"brien@example.com`, `email = "o\"brien@example.com"`, ""},
		{`"^="@example.com`, `email = "\"^=\"@example.com"`, ""},
		{`a\b@example.com`, "", "backslash"},
		{"a\tb@example.com", "", "control character"},
		{strings.Repeat("a", 240) + "@example.com", "", "over the limit of 256"},
	}
	for _, tt := range tests {
		got, err := Filter(AttrEmail, tt.value)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Filter(%q) error = %v, want %q", tt.value, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Filter(%q) = %q, %v; want %q", tt.value, got, err, tt.want)
		}
	}
}

func TestGuardOutcomes(t *testing.T) {
	const email = "sam@example.com"
	tests := []struct {
		name  string
		users []User
		want  Outcome
	}{
		{"nobody", nil, OutcomeClean},
		{"verified holder", []User{verifiedHolder("other", AttrEmail, email)}, OutcomeConflict},
		{"verified holder, other case", []User{verifiedHolder("other", AttrEmail, "SAM@Example.com")}, OutcomeConflict},
		{"unverified holder", []User{{Username: "other", Attributes: map[string]string{AttrEmail: email, "email_verified": "false"}}}, OutcomeClean},
		{"verified flag missing", []User{{Username: "other", Attributes: map[string]string{AttrEmail: email}}}, OutcomeClean},
		{"the new user itself, by username", []User{verifiedHolder("sam.new", AttrEmail, email)}, OutcomeClean},
		{"the new user itself, by sub", []User{{Username: "uuid", Attributes: map[string]string{AttrEmail: email, "email_verified": "true", "sub": "sub-1"}}}, OutcomeClean},
		{"a near match the search returned", []User{verifiedHolder("other", AttrEmail, "sam@example.co")}, OutcomeClean},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &guard{timeout: time.Second, maxPages: 3, lister: listerFunc(func(_ context.Context, pool, filter, _ string) (Page, error) {
				if pool != "pool-1" || filter != `email = "sam@example.com"` {
					t.Errorf("ListUsers(%q, %q)", pool, filter)
				}
				return Page{Users: tt.users}, nil
			})}
			r := g.check(context.Background(), "pool-1", selfID{"sam.new", "sub-1"}, []lookup{{AttrEmail, email}})
			if r[0].outcome != tt.want {
				t.Errorf("outcome %s (%v), want %s", r[0].outcome, r[0].err, tt.want)
			}
		})
	}
}

// TestGuardLooksUpConcurrently proves both lookups are in flight at once: each
// waits for the other to start, which only concurrent calls can satisfy.
func TestGuardLooksUpConcurrently(t *testing.T) {
	var started sync.WaitGroup
	started.Add(2)
	both := make(chan struct{})
	go func() { started.Wait(); close(both) }()
	g := &guard{timeout: 5 * time.Second, maxPages: 1, lister: listerFunc(func(ctx context.Context, _, _, _ string) (Page, error) {
		started.Done()
		select {
		case <-both:
			return Page{}, nil
		case <-ctx.Done():
			return Page{}, ctx.Err()
		}
	})}
	r := g.check(context.Background(), "p", selfID{}, []lookup{{AttrEmail, "a@example.com"}, {AttrPhone, "+15555550100"}})
	for i, x := range r {
		if x.outcome != OutcomeClean {
			t.Errorf("lookup %d: %s (%v); the lookups did not run concurrently", i, x.outcome, x.err)
		}
	}
}

func TestGuardFailsClosed(t *testing.T) {
	hang := listerFunc(func(ctx context.Context, _, _, _ string) (Page, error) {
		time.Sleep(10 * time.Second) // ignores its context on purpose
		return Page{}, nil
	})
	endless := listerFunc(func(_ context.Context, _, _, token string) (Page, error) {
		n, _ := strconv.Atoi(token)
		return Page{Next: strconv.Itoa(n + 1)}, nil
	})
	stuck := listerFunc(func(_ context.Context, _, _, _ string) (Page, error) { return Page{Next: "same"}, nil })
	broken := listerFunc(func(_ context.Context, _, _, _ string) (Page, error) { return Page{}, errors.New("boom") })
	tests := []struct {
		name   string
		lister UserLister
		err    string
	}{
		{"a lister that ignores its context", hang, "did not finish inside the guard's budget"},
		{"endless pages", endless, "more than 3 pages"},
		{"a repeated token", stuck, "same pagination token twice"},
		{"an error", broken, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &guard{timeout: 50 * time.Millisecond, maxPages: 3, lister: tt.lister}
			start := time.Now()
			r := g.check(context.Background(), "p", selfID{}, []lookup{{AttrEmail, "a@example.com"}})
			if r[0].outcome != OutcomeFailed || r[0].err == nil || !strings.Contains(r[0].err.Error(), tt.err) {
				t.Errorf("got %s (%v), want lookup-failed with %q", r[0].outcome, r[0].err, tt.err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("the guard waited %s for a lister that never ends", took)
			}
		})
	}
}

// TestGuardBudgetFollowsLambdaDeadline checks that the lookups get a deadline
// inside the invocation's, not the configured timeout, when that is shorter.
func TestGuardBudgetFollowsLambdaDeadline(t *testing.T) {
	parent, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	pd, _ := parent.Deadline()
	deadlines := make(chan time.Time, 1)
	g := &guard{timeout: 2 * time.Second, maxPages: 1, lister: listerFunc(func(ctx context.Context, _, _, _ string) (Page, error) {
		d, _ := ctx.Deadline()
		deadlines <- d
		<-ctx.Done()
		return Page{}, ctx.Err()
	})}
	r := g.check(parent, "p", selfID{}, []lookup{{AttrEmail, "a@example.com"}})
	if r[0].outcome != OutcomeFailed {
		t.Errorf("outcome %s, want lookup-failed", r[0].outcome)
	}
	got := <-deadlines
	if got.IsZero() || got.After(pd.Add(-budgetReserve)) {
		t.Errorf("lookup deadline %v is not at least %s before the invocation's %v", got, budgetReserve, pd)
	}
}

func TestGuardNoTimeLeft(t *testing.T) {
	parent, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	g := &guard{timeout: time.Second, maxPages: 1, lister: listerFunc(func(ctx context.Context, _, _, _ string) (Page, error) {
		return Page{}, ctx.Err()
	})}
	r := g.check(parent, "p", selfID{}, []lookup{{AttrEmail, "a@example.com"}})
	if r[0].outcome != OutcomeFailed {
		t.Errorf("outcome %s with no time left, want lookup-failed", r[0].outcome)
	}
}

func TestRejectMessageNamesNoUser(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Policy = PolicyReject
	h, err := New(cfg, listerFunc(func(_ context.Context, _, filter, _ string) (Page, error) {
		return Page{Users: []User{verifiedHolder("victim-user", AttrEmail, "sam@example.com")}}, nil
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Invoke(context.Background(), mkEvent(SourceSignUp, `"email":"sam@example.com"`))
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

func TestAliasAttributesLimitLookups(t *testing.T) {
	var filters []string
	var mu sync.Mutex
	cfg := DefaultConfig()
	cfg.CheckPhone = false
	h, _ := New(cfg, listerFunc(func(_ context.Context, _, filter, _ string) (Page, error) {
		mu.Lock()
		filters = append(filters, filter)
		mu.Unlock()
		return Page{}, nil
	}), nil)
	out, err := h.Invoke(context.Background(), mkEvent(SourceSignUp, `"email":"a@example.com","phone_number":"+15555550100"`))
	if err != nil {
		t.Fatal(err)
	}
	if len(filters) != 1 || !strings.HasPrefix(filters[0], "email =") {
		t.Errorf("filters %q, want only the email lookup", filters)
	}
	if !strings.Contains(string(out), `"autoVerifyEmail":true,"autoVerifyPhone":true`) {
		t.Errorf("response %s", out)
	}
}
