package guard

import (
	"context"
	"errors"
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
func modes(dir Directory, timeout time.Duration, maxPages int) map[Mode]*Guard {
	return map[Mode]*Guard{
		AdminGetUser: {dir: dir, mode: AdminGetUser, timeout: timeout, maxPages: maxPages},
		ListUsers:    {dir: dir, mode: ListUsers, timeout: timeout, maxPages: maxPages},
	}
}

func TestGuardOutcomes(t *testing.T) {
	const email = "sam@example.com"
	unverified := User{Username: "other", Attributes: map[string]string{AttrEmail: email, "email_verified": "false"}}
	tests := []struct {
		name string
		hit  *User // AdminGetUser's answer; nil means UserNotFoundException
		list []User
		want map[Mode]Outcome
	}{
		{"nobody", nil, nil, map[Mode]Outcome{AdminGetUser: Clean, ListUsers: Clean}},
		{"verified holder", &User{Username: "other", Attributes: map[string]string{AttrEmail: email, "email_verified": "true"}},
			[]User{VerifiedHolder("other", AttrEmail, email)}, map[Mode]Outcome{AdminGetUser: Conflict, ListUsers: Conflict}},
		{"verified holder, other case", &User{Username: "other", Attributes: map[string]string{AttrEmail: "SAM@Example.com", "email_verified": "true"}},
			[]User{VerifiedHolder("other", AttrEmail, "SAM@Example.com")}, map[Mode]Outcome{AdminGetUser: Conflict, ListUsers: Conflict}},
		// Only a verified value is an active alias, so AdminGetUser misses.
		{"unverified holder", nil, []User{unverified}, map[Mode]Outcome{AdminGetUser: Clean, ListUsers: Clean}},
		{"verified flag missing", nil, []User{{Username: "other", Attributes: map[string]string{AttrEmail: email}}},
			map[Mode]Outcome{AdminGetUser: Clean, ListUsers: Clean}},
		{"the new user itself, by username", ptr(VerifiedHolder("sam.new", AttrEmail, email)), []User{VerifiedHolder("sam.new", AttrEmail, email)},
			map[Mode]Outcome{AdminGetUser: Clean, ListUsers: Clean}},
		{"the new user itself, by sub", &User{Username: "uuid", Attributes: map[string]string{AttrEmail: email, "email_verified": "true", "sub": "sub-1"}},
			[]User{{Username: "uuid", Attributes: map[string]string{AttrEmail: email, "email_verified": "true", "sub": "sub-1"}}},
			map[Mode]Outcome{AdminGetUser: Clean, ListUsers: Clean}},
		// AdminGetUser found someone whose username or sub is the value, who
		// does not hold it: no alias of theirs can move.
		{"a hit by username that holds nothing", &User{Username: email, Attributes: map[string]string{"sub": "x"}}, nil,
			map[Mode]Outcome{AdminGetUser: Clean, ListUsers: Clean}},
		// Cognito's alias match is trusted: a user whose username is the
		// value is no alias hit, even when they hold it verified too.
		{"a hit by username that also holds the value verified", ptr(VerifiedHolder(email, AttrEmail, email)), nil,
			map[Mode]Outcome{AdminGetUser: Clean, ListUsers: Clean}},
		{"a hit by sub", &User{Username: "uuid", Attributes: map[string]string{AttrEmail: "x@example.com", "email_verified": "true", "sub": email}}, nil,
			map[Mode]Outcome{AdminGetUser: Clean, ListUsers: Clean}},
		// Cognito matched İnga@ to inga@; Go's case folding does not. The
		// guard does not compare again, so it does not fail open.
		{"Cognito's alias match that case folding disagrees with", &User{Username: "other", Attributes: map[string]string{AttrEmail: "İnga@example.com", "email_verified": "true"}},
			[]User{VerifiedHolder("other", AttrEmail, "İnga@example.com")}, map[Mode]Outcome{AdminGetUser: Conflict, ListUsers: Conflict}},
		// Cognito's search matched it; a stricter comparison would fail open.
		{"a verified match Cognito's search returned", nil, []User{VerifiedHolder("other", AttrEmail, "sam@example.com ")},
			map[Mode]Outcome{AdminGetUser: Clean, ListUsers: Conflict}},
	}
	for _, tt := range tests {
		dir := &Funcs{
			Get: func(_ context.Context, pool, name string) (User, error) {
				if pool != "pool-1" || name != email {
					t.Errorf("AdminGetUser(%q, %q)", pool, name)
				}
				if tt.hit == nil {
					return User{}, ErrUserNotFound
				}
				return *tt.hit, nil
			},
			List: func(_ context.Context, pool, filter, _ string) (Page, error) {
				if pool != "pool-1" || filter != `email = "sam@example.com"` {
					t.Errorf("ListUsers(%q, %q)", pool, filter)
				}
				return Page{Users: tt.list}, nil
			},
		}
		for mode, g := range modes(dir, time.Second, 3) {
			t.Run(tt.name+"/"+string(mode), func(t *testing.T) {
				r := g.Check(context.Background(), "pool-1", Self{"sam.new", "sub-1"}, []Lookup{{AttrEmail, email}})
				if r[0].Outcome != tt.want[mode] {
					t.Errorf("outcome %s (%v), want %s", r[0].Outcome, r[0].Err, tt.want[mode])
				}
			})
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestGuardLooksUpConcurrently proves both lookups are in flight at once: each
// waits for the other to start, which only concurrent calls can satisfy.
func TestGuardLooksUpConcurrently(t *testing.T) {
	for _, mode := range []Mode{AdminGetUser, ListUsers} {
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
			dir := &Funcs{
				Get: func(ctx context.Context, _, _ string) (User, error) {
					return User{}, errors.Join(ErrUserNotFound, wait(ctx))
				},
				List: func(ctx context.Context, _, _, _ string) (Page, error) { return Page{}, wait(ctx) },
			}
			g := modes(dir, 5*time.Second, 1)[mode]
			r := g.Check(context.Background(), "p", Self{}, []Lookup{{AttrEmail, "a@example.com"}, {AttrPhone, "+15555550100"}})
			for i, x := range r {
				if x.Outcome != Clean {
					t.Errorf("lookup %d: %s (%v); the lookups did not run concurrently", i, x.Outcome, x.Err)
				}
			}
		})
	}
}

func TestGuardFailsClosed(t *testing.T) {
	hang := &Funcs{
		Get: func(context.Context, string, string) (User, error) {
			time.Sleep(10 * time.Second) // ignores its context on purpose
			return User{}, ErrUserNotFound
		},
		List: func(context.Context, string, string, string) (Page, error) {
			time.Sleep(10 * time.Second)
			return Page{}, nil
		},
	}
	endless := &Funcs{List: func(_ context.Context, _, _, token string) (Page, error) {
		n, _ := strconv.Atoi(token)
		return Page{Next: strconv.Itoa(n + 1)}, nil
	}}
	stuck := &Funcs{List: func(_ context.Context, _, _, _ string) (Page, error) { return Page{Next: "same"}, nil }}
	broken := &Funcs{
		Get:  func(context.Context, string, string) (User, error) { return User{}, errors.New("boom") },
		List: func(context.Context, string, string, string) (Page, error) { return Page{}, errors.New("boom") },
	}
	tests := []struct {
		name  string
		mode  Mode
		dir   Directory
		value string
		err   string
	}{
		{"a call that ignores its context", AdminGetUser, hang, "a@example.com", "did not finish inside the guard's budget"},
		{"a search that ignores its context", ListUsers, hang, "a@example.com", "did not finish inside the guard's budget"},
		{"endless pages", ListUsers, endless, "a@example.com", "more than 3 pages"},
		{"a repeated token", ListUsers, stuck, "a@example.com", "same pagination token twice"},
		{"an error", AdminGetUser, broken, "a@example.com", "boom"},
		{"a search error", ListUsers, broken, "a@example.com", "boom"},
		// AdminGetUser cannot take these; they are not looked up at all.
		{"a value over 128 characters", AdminGetUser, broken, strings.Repeat("a", 120) + "@example.com", "over the limit of 128"},
		{"a backslash in a filter", ListUsers, broken, `a\b@example.com`, "backslash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := modes(tt.dir, 50*time.Millisecond, 3)[tt.mode]
			start := time.Now()
			r := g.Check(context.Background(), "p", Self{}, []Lookup{{AttrEmail, tt.value}})
			if r[0].Outcome != Failed || r[0].Err == nil || !strings.Contains(r[0].Err.Error(), tt.err) {
				t.Errorf("got %s (%v), want lookup-failed with %q", r[0].Outcome, r[0].Err, tt.err)
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
	g := &Guard{timeout: 2 * time.Second, mode: AdminGetUser, dir: &Funcs{Get: func(ctx context.Context, _, _ string) (User, error) {
		d, _ := ctx.Deadline()
		deadlines <- d
		<-ctx.Done()
		return User{}, ctx.Err()
	}}}
	r := g.Check(parent, "p", Self{}, []Lookup{{AttrEmail, "a@example.com"}})
	if r[0].Outcome != Failed {
		t.Errorf("outcome %s, want lookup-failed", r[0].Outcome)
	}
	got := <-deadlines
	if got.IsZero() || got.After(pd.Add(-DefaultReserve)) {
		t.Errorf("lookup deadline %v is not at least %s before the invocation's %v", got, DefaultReserve, pd)
	}
}

func TestGuardNoTimeLeft(t *testing.T) {
	parent, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	g := &Guard{timeout: time.Second, mode: AdminGetUser, dir: &Funcs{Get: func(ctx context.Context, _, _ string) (User, error) {
		return User{}, ctx.Err()
	}}}
	r := g.Check(parent, "p", Self{}, []Lookup{{AttrEmail, "a@example.com"}})
	if r[0].Outcome != Failed {
		t.Errorf("outcome %s with no time left, want lookup-failed", r[0].Outcome)
	}
}
