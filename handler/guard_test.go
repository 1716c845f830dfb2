package handler

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

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

func TestCheckUsername(t *testing.T) {
	tests := []struct {
		value, err string
	}{
		{"jane@example.com", ""},
		{`o"brien+tag@例え.jp`, ""},
		{"+15555550100", ""},
		{strings.Repeat("é", 118) + "@example.com", "over the limit of 128"},
		{"jane doe@example.com", "whitespace"},
		{"jane\x00@example.com", "whitespace or control"},
	}
	for _, tt := range tests {
		err := CheckUsername(tt.value)
		if (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("CheckUsername(%q) = %v, want %q", tt.value, err, tt.err)
		}
	}
}

// modes returns a guard per lookup mode over the same directory.
func modes(dir Directory, timeout time.Duration, maxPages int) map[LookupMode]*guard {
	return map[LookupMode]*guard{
		LookupAdminGetUser: {dir: dir, mode: LookupAdminGetUser, timeout: timeout, maxPages: maxPages},
		LookupListUsers:    {dir: dir, mode: LookupListUsers, timeout: timeout, maxPages: maxPages},
	}
}

func TestGuardOutcomes(t *testing.T) {
	const email = "sam@example.com"
	unverified := User{Username: "other", Attributes: map[string]string{AttrEmail: email, "email_verified": "false"}}
	tests := []struct {
		name string
		hit  *User // AdminGetUser's answer; nil means UserNotFoundException
		list []User
		want map[LookupMode]Outcome
	}{
		{"nobody", nil, nil, map[LookupMode]Outcome{LookupAdminGetUser: OutcomeClean, LookupListUsers: OutcomeClean}},
		{"verified holder", &User{Username: "other", Attributes: map[string]string{AttrEmail: email, "email_verified": "true"}},
			[]User{verifiedHolder("other", AttrEmail, email)}, map[LookupMode]Outcome{LookupAdminGetUser: OutcomeConflict, LookupListUsers: OutcomeConflict}},
		{"verified holder, other case", &User{Username: "other", Attributes: map[string]string{AttrEmail: "SAM@Example.com", "email_verified": "true"}},
			[]User{verifiedHolder("other", AttrEmail, "SAM@Example.com")}, map[LookupMode]Outcome{LookupAdminGetUser: OutcomeConflict, LookupListUsers: OutcomeConflict}},
		// Only a verified value is an active alias, so AdminGetUser misses.
		{"unverified holder", nil, []User{unverified}, map[LookupMode]Outcome{LookupAdminGetUser: OutcomeClean, LookupListUsers: OutcomeClean}},
		{"verified flag missing", nil, []User{{Username: "other", Attributes: map[string]string{AttrEmail: email}}},
			map[LookupMode]Outcome{LookupAdminGetUser: OutcomeClean, LookupListUsers: OutcomeClean}},
		{"the new user itself, by username", ptr(verifiedHolder("sam.new", AttrEmail, email)), []User{verifiedHolder("sam.new", AttrEmail, email)},
			map[LookupMode]Outcome{LookupAdminGetUser: OutcomeClean, LookupListUsers: OutcomeClean}},
		{"the new user itself, by sub", &User{Username: "uuid", Attributes: map[string]string{AttrEmail: email, "email_verified": "true", "sub": "sub-1"}},
			[]User{{Username: "uuid", Attributes: map[string]string{AttrEmail: email, "email_verified": "true", "sub": "sub-1"}}},
			map[LookupMode]Outcome{LookupAdminGetUser: OutcomeClean, LookupListUsers: OutcomeClean}},
		// AdminGetUser found someone whose username or sub is the value, who
		// does not hold it: no alias of theirs can move.
		{"a hit by username that holds nothing", &User{Username: email, Attributes: map[string]string{"sub": "x"}}, nil,
			map[LookupMode]Outcome{LookupAdminGetUser: OutcomeClean, LookupListUsers: OutcomeClean}},
		// Cognito's search matched it; a stricter comparison would fail open.
		{"a verified match Cognito's search returned", nil, []User{verifiedHolder("other", AttrEmail, "sam@example.com ")},
			map[LookupMode]Outcome{LookupAdminGetUser: OutcomeClean, LookupListUsers: OutcomeConflict}},
	}
	for _, tt := range tests {
		dir := &dirFuncs{
			get: func(_ context.Context, pool, name string) (User, error) {
				if pool != "pool-1" || name != email {
					t.Errorf("AdminGetUser(%q, %q)", pool, name)
				}
				if tt.hit == nil {
					return User{}, ErrUserNotFound
				}
				return *tt.hit, nil
			},
			list: func(_ context.Context, pool, filter, _ string) (Page, error) {
				if pool != "pool-1" || filter != `email = "sam@example.com"` {
					t.Errorf("ListUsers(%q, %q)", pool, filter)
				}
				return Page{Users: tt.list}, nil
			},
		}
		for mode, g := range modes(dir, time.Second, 3) {
			t.Run(tt.name+"/"+string(mode), func(t *testing.T) {
				r := g.check(context.Background(), "pool-1", selfID{"sam.new", "sub-1"}, []lookup{{AttrEmail, email}})
				if r[0].outcome != tt.want[mode] {
					t.Errorf("outcome %s (%v), want %s", r[0].outcome, r[0].err, tt.want[mode])
				}
			})
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestGuardLooksUpConcurrently proves both lookups are in flight at once: each
// waits for the other to start, which only concurrent calls can satisfy.
func TestGuardLooksUpConcurrently(t *testing.T) {
	for _, mode := range []LookupMode{LookupAdminGetUser, LookupListUsers} {
		t.Run(string(mode), func(t *testing.T) {
			var started sync.WaitGroup
			started.Add(2)
			both := make(chan struct{})
			go func() { started.Wait(); close(both) }()
			wait := func(ctx context.Context) error {
				started.Done()
				select {
				case <-both:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			dir := &dirFuncs{
				get: func(ctx context.Context, _, _ string) (User, error) {
					return User{}, errors.Join(ErrUserNotFound, wait(ctx))
				},
				list: func(ctx context.Context, _, _, _ string) (Page, error) { return Page{}, wait(ctx) },
			}
			g := modes(dir, 5*time.Second, 1)[mode]
			r := g.check(context.Background(), "p", selfID{}, []lookup{{AttrEmail, "a@example.com"}, {AttrPhone, "+15555550100"}})
			for i, x := range r {
				if x.outcome != OutcomeClean {
					t.Errorf("lookup %d: %s (%v); the lookups did not run concurrently", i, x.outcome, x.err)
				}
			}
		})
	}
}

func TestGuardFailsClosed(t *testing.T) {
	hang := &dirFuncs{
		get: func(context.Context, string, string) (User, error) {
			time.Sleep(10 * time.Second) // ignores its context on purpose
			return User{}, ErrUserNotFound
		},
		list: func(context.Context, string, string, string) (Page, error) {
			time.Sleep(10 * time.Second)
			return Page{}, nil
		},
	}
	endless := &dirFuncs{list: func(_ context.Context, _, _, token string) (Page, error) {
		n, _ := strconv.Atoi(token)
		return Page{Next: strconv.Itoa(n + 1)}, nil
	}}
	stuck := &dirFuncs{list: func(_ context.Context, _, _, _ string) (Page, error) { return Page{Next: "same"}, nil }}
	broken := &dirFuncs{
		get:  func(context.Context, string, string) (User, error) { return User{}, errors.New("boom") },
		list: func(context.Context, string, string, string) (Page, error) { return Page{}, errors.New("boom") },
	}
	tests := []struct {
		name  string
		mode  LookupMode
		dir   Directory
		value string
		err   string
	}{
		{"a call that ignores its context", LookupAdminGetUser, hang, "a@example.com", "did not finish inside the guard's budget"},
		{"a search that ignores its context", LookupListUsers, hang, "a@example.com", "did not finish inside the guard's budget"},
		{"endless pages", LookupListUsers, endless, "a@example.com", "more than 3 pages"},
		{"a repeated token", LookupListUsers, stuck, "a@example.com", "same pagination token twice"},
		{"an error", LookupAdminGetUser, broken, "a@example.com", "boom"},
		{"a search error", LookupListUsers, broken, "a@example.com", "boom"},
		// AdminGetUser cannot take these; they are not looked up at all.
		{"a value over 128 characters", LookupAdminGetUser, broken, strings.Repeat("a", 120) + "@example.com", "over the limit of 128"},
		{"a backslash in a filter", LookupListUsers, broken, `a\b@example.com`, "backslash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := modes(tt.dir, 50*time.Millisecond, 3)[tt.mode]
			start := time.Now()
			r := g.check(context.Background(), "p", selfID{}, []lookup{{AttrEmail, tt.value}})
			if r[0].outcome != OutcomeFailed || r[0].err == nil || !strings.Contains(r[0].err.Error(), tt.err) {
				t.Errorf("got %s (%v), want lookup-failed with %q", r[0].outcome, r[0].err, tt.err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("the guard waited %s for a call that never ends", took)
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
	g := &guard{timeout: 2 * time.Second, mode: LookupAdminGetUser, dir: &dirFuncs{get: func(ctx context.Context, _, _ string) (User, error) {
		d, _ := ctx.Deadline()
		deadlines <- d
		<-ctx.Done()
		return User{}, ctx.Err()
	}}}
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
	g := &guard{timeout: time.Second, mode: LookupAdminGetUser, dir: &dirFuncs{get: func(ctx context.Context, _, _ string) (User, error) {
		return User{}, ctx.Err()
	}}}
	r := g.check(parent, "p", selfID{}, []lookup{{AttrEmail, "a@example.com"}})
	if r[0].outcome != OutcomeFailed {
		t.Errorf("outcome %s with no time left, want lookup-failed", r[0].outcome)
	}
}

func TestRejectMessageNamesNoUser(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Policy = PolicyReject
	h, err := New(cfg, &dirFuncs{get: func(_ context.Context, _, name string) (User, error) {
		return verifiedHolder("victim-user", AttrEmail, name), nil
	}}, nil)
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

// recorder is a clean directory that records the values it is asked about.
type recorder struct {
	dirFuncs
	mu    sync.Mutex
	names []string
}

func newRecorder(aliases func(context.Context, string) ([]string, error)) *recorder {
	r := &recorder{}
	r.aliases = aliases
	r.get = func(_ context.Context, _, name string) (User, error) {
		r.mu.Lock()
		r.names = append(r.names, name)
		r.mu.Unlock()
		return User{}, ErrUserNotFound
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
	out, err := h.Invoke(context.Background(), mkEvent(SourceSignUp, `"email":"a@example.com","phone_number":"+15555550100"`))
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.asked(); len(got) != 1 || got[0] != "a@example.com" || rec.describes() != 0 {
		t.Errorf("asked about %q with %d DescribeUserPool calls, want only the email address and none", got, rec.describes())
	}
	if !strings.Contains(string(out), `"autoVerifyEmail":true,"autoVerifyPhone":true`) {
		t.Errorf("response %s", out)
	}
}

func TestAutoAliasAttributes(t *testing.T) {
	event := mkEvent(SourceSignUp, `"email":"a@example.com","phone_number":"+15555550100"`)
	tests := []struct {
		name    string
		aliases func(context.Context, string) ([]string, error)
		asked   int
		warned  bool
	}{
		{"email and phone", func(context.Context, string) ([]string, error) { return []string{AttrEmail, AttrPhone}, nil }, 2, false},
		{"email only", func(context.Context, string) ([]string, error) { return []string{AttrEmail}, nil }, 1, false},
		{"email as username", func(context.Context, string) ([]string, error) { return nil, nil }, 0, false},
		{"unreadable", func(context.Context, string) ([]string, error) { return nil, errors.New("AccessDeniedException") }, 2, true},
		{"too slow", func(ctx context.Context, _ string) ([]string, error) {
			time.Sleep(300 * time.Millisecond)
			return []string{AttrEmail}, nil
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
			if n := rec.describes(); n != 1 {
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
	dir := &dirFuncs{get: func(context.Context, string, string) (User, error) {
		arrived.Done()
		arrived.Wait() // both lookups see the pool before either sign-up lands
		return User{}, ErrUserNotFound
	}}
	cfg := DefaultConfig()
	cfg.AutoAttributes = false
	h, _ := New(cfg, dir, nil)
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	for i := range 2 {
		wg.Go(func() {
			outs[i], _ = h.Invoke(context.Background(), mkEvent(SourceSignUp, `"email":"same@example.com"`))
		})
	}
	wg.Wait()
	for i, out := range outs {
		if !strings.Contains(string(out), `"autoVerifyEmail":true`) {
			t.Errorf("sign-up %d: %s", i, out)
		}
	}
}
