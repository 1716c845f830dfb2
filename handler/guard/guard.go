package guard

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/autoconfirm/autoconfirm/presignup"
)

// The attributes that can be aliases the guard checks.
const (
	AttrEmail = presignup.AttrEmail
	AttrPhone = presignup.AttrPhone
)

// Mode says how the guard asks the pool who holds a value. AdminGetUser is
// the default: it asks Cognito the exact question ("whose active alias is
// this?") in the UserRead quota (120/s, adjustable). ListUsers searches
// instead: no monthly-active-user charge for the holder, but the UserList
// quota (30/s, not adjustable) and eventual consistency.
type Mode string

// The lookup modes.
const (
	AdminGetUser Mode = "admin-get-user"
	ListUsers    Mode = "list-users"
)

// Outcome is what was decided for one attribute. It is logged, so it never
// carries the value. The guard decides Unchecked, Clean, Conflict and Failed;
// the handler the others, before or instead of asking it.
type Outcome string

// The outcomes, per attribute.
const (
	Absent     Outcome = "absent"    // attribute missing
	Invalid    Outcome = "invalid"   // present but not verifiable
	Unchecked  Outcome = "unchecked" // verified without lookup (policy allow, or not an alias)
	Clean      Outcome = "clean"     // looked up, nobody else holds it verified
	Conflict   Outcome = "conflict"  // another user holds it verified
	Failed     Outcome = "lookup-failed"
	NotApplied Outcome = "not-applicable" // trigger source never verifies
)

// Verified reports whether the outcome lets the handler set the verify flag.
func (o Outcome) Verified() bool { return o == Unchecked || o == Clean }

// maxFilterLen is ListUsers' documented limit on the Filter parameter.
const maxFilterLen = 256

// DefaultReserve is kept back from the Lambda deadline for the rest of the
// invocation: building the answer and sending it.
const DefaultReserve = 150 * time.Millisecond

// errFilter marks a value the guard refuses to put into a filter.
var errFilter = errors.New("value cannot be expressed safely as a ListUsers filter")

// errUsername marks a value AdminGetUser cannot take as a Username.
var errUsername = errors.New("value cannot be passed to AdminGetUser")

// Filter builds the ListUsers filter `attr = "value"`. Quotes are escaped with
// a backslash as Cognito documents. Backslashes and control characters are
// refused, because Cognito does not document how it reads them, and a value
// that is not read literally could widen the lookup.
func Filter(attr, value string) (string, error) {
	if strings.ContainsAny(value, "\\") {
		return "", fmt.Errorf("%w: it contains a backslash", errFilter)
	}
	for _, r := range value {
		if r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("%w: it contains a control character", errFilter)
		}
	}
	f := attr + ` = "` + strings.ReplaceAll(value, `"`, `\"`) + `"`
	if len(f) > maxFilterLen {
		return "", fmt.Errorf("%w: the filter would be %d characters, over the limit of %d", errFilter, len(f), maxFilterLen)
	}
	return f, nil
}

// usernamePattern is AdminGetUser's documented Username pattern.
var usernamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)

// maxUsernameLen is AdminGetUser's documented limit on Username, in characters.
const maxUsernameLen = 128

// CheckUsername reports why AdminGetUser cannot take value as its Username,
// or nil when it can. Such a value fails closed rather than falling back to
// ListUsers: it keeps every lookup in one quota and one IAM action, and an
// address of over 128 characters or with whitespace is rare enough that
// leaving it for the user to verify with a code costs little.
func CheckUsername(value string) error {
	if n := utf8.RuneCountInString(value); n > maxUsernameLen {
		return fmt.Errorf("%w: it is %d characters, over the limit of %d", errUsername, n, maxUsernameLen)
	}
	if !usernamePattern.MatchString(value) {
		return fmt.Errorf("%w: it holds whitespace or control characters, outside the documented pattern", errUsername)
	}
	return nil
}

// Lookup is one attribute the guard must check.
type Lookup struct {
	Attr, Value string
}

// Config configures a Guard.
type Config struct {
	Mode Mode
	// AutoAttributes reads the pool's alias attributes with
	// DescribeUserPool and checks only those; Warn is told, once, when that
	// fails.
	AutoAttributes bool
	Warn           func(error)
	// Timeout is the budget for all lookups of one sign-up; the caller's
	// deadline can shorten it.
	Timeout time.Duration
	// MaxPages bounds the ListUsers pages one lookup reads.
	MaxPages int
	// Reserve is kept back from the caller's deadline; zero for
	// DefaultReserve.
	Reserve time.Duration
}

// Guard checks candidate attributes against the pool.
type Guard struct {
	dir      Directory
	mode     Mode
	aliases  *aliasCache // nil unless AutoAttributes
	timeout  time.Duration
	reserve  time.Duration
	maxPages int
}

// New returns a guard that asks dir.
func New(dir Directory, cfg Config) *Guard {
	g := &Guard{dir: dir, mode: cfg.Mode, timeout: cfg.Timeout, reserve: cfg.Reserve, maxPages: max(1, cfg.MaxPages)}
	if g.mode == "" {
		g.mode = AdminGetUser
	}
	if cfg.AutoAttributes {
		g.aliases = newAliasCache(dir, cfg.Warn)
	}
	return g
}

// budget returns the context for all lookups of one invocation: the guard's own
// timeout, shortened so that the answer still fits inside the Lambda deadline.
func (g *Guard) budget(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(g.timeout)
	reserve := g.reserve
	if reserve <= 0 {
		reserve = DefaultReserve
	}
	if dl, ok := ctx.Deadline(); ok && dl.Add(-reserve).Before(deadline) {
		deadline = dl.Add(-reserve)
	}
	return context.WithDeadline(ctx, deadline)
}

// Result is the outcome of one attribute's lookup, and the error behind a
// Failed one.
type Result struct {
	Outcome Outcome
	Err     error
}

// Check looks up every candidate concurrently and returns one result per
// candidate, in order. With ALIAS_ATTRIBUTES=auto it first learns which
// candidates are aliases of the pool; the others are verified without a
// lookup, and if that is not known in half the budget, all are looked up. It
// returns when the budget ends even if a call does not honour its
// context.
func (g *Guard) Check(ctx context.Context, poolID string, self Self, cands []Lookup) []Result {
	results := make([]Result, len(cands))
	if len(cands) == 0 {
		return results
	}
	bctx, cancel := g.budget(ctx)
	defer cancel()
	if g.aliases != nil {
		// Wait for the pool's configuration at most half the budget, so
		// that checking every attribute still has time when it is slow.
		dl, _ := bctx.Deadline()
		dctx, dcancel := context.WithDeadline(bctx, time.Now().Add(time.Until(dl)/2))
		aliases, ok := g.aliases.get(dctx, poolID)
		dcancel()
		if ok {
			for i, c := range cands {
				if !slices.Contains(aliases, c.Attr) {
					results[i].Outcome = Unchecked
				}
			}
		}
	}
	type done struct {
		i int
		r Result
	}
	ch := make(chan done, len(cands)) // buffered: a late lookup never blocks
	pending := 0
	for i, c := range cands {
		if results[i].Outcome == Unchecked {
			continue
		}
		results[i] = Result{Failed, fmt.Errorf("lookup did not finish inside the guard's budget: %w", context.DeadlineExceeded)}
		pending++
		go func() {
			ch <- done{i, g.one(bctx, poolID, self, c)}
		}()
	}
	for pending > 0 {
		select {
		case d := <-ch:
			results[d.i] = d.r
			pending--
		case <-bctx.Done():
			return results
		}
	}
	return results
}

// Self identifies the user who is signing up, so that a retried invocation
// never sees that user as "another" holder.
type Self struct {
	Username, Sub string
}

func (s Self) is(u User) bool {
	if s.Username != "" && u.Username == s.Username {
		return true
	}
	return s.Sub != "" && u.Attributes["sub"] == s.Sub
}

func (g *Guard) one(ctx context.Context, poolID string, self Self, c Lookup) Result {
	if g.mode == ListUsers {
		return g.search(ctx, poolID, self, c)
	}
	return g.get(ctx, poolID, self, c)
}

// get asks AdminGetUser whose active alias the value is. A miss means nobody
// holds it verified. A hit through a username or a sub that equals the value
// is not an alias (rules §22.2); any other hit is Cognito's own alias match,
// and a conflict when the user is someone else and holds the attribute
// verified. The value is not compared again: Cognito made the match, and a
// second comparison (letter case, Unicode folding) could only fail open.
func (g *Guard) get(ctx context.Context, poolID string, self Self, c Lookup) Result {
	if err := CheckUsername(c.Value); err != nil {
		return Result{Failed, err}
	}
	u, err := g.dir.GetUser(ctx, poolID, c.Value)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return Result{Clean, nil}
	case err != nil:
		return Result{Failed, fmt.Errorf("AdminGetUser: %w", err)}
	case self.is(u), u.Username == c.Value, u.Attributes["sub"] == c.Value:
		return Result{Clean, nil}
	case holdsVerified(u, c.Attr):
		return Result{Conflict, nil}
	}
	return Result{Clean, nil}
}

// holdsVerified reports whether u holds the attribute verified, the only
// state in which its value is an alias that could move.
func holdsVerified(u User, attr string) bool {
	_, ok := u.Attributes[attr]
	return ok && u.Attributes[attr+"_verified"] == "true"
}

// search runs ListUsers with the filter `attr = "value"`, following pages up
// to the bound. It asks for every attribute (ListUsers fails when a result
// lacks one that AttributesToGet names), and any verified user other than the
// new one among Cognito's matches is a conflict.
func (g *Guard) search(ctx context.Context, poolID string, self Self, c Lookup) Result {
	filter, err := Filter(c.Attr, c.Value)
	if err != nil {
		return Result{Failed, err}
	}
	token := ""
	for page := 1; ; page++ {
		if page > g.maxPages {
			return Result{Failed, fmt.Errorf("ListUsers returned more than %d pages; raise ALIAS_MAX_PAGES if this pool really has that many matches", g.maxPages)}
		}
		p, err := g.dir.ListUsers(ctx, poolID, filter, token)
		if err != nil {
			return Result{Failed, fmt.Errorf("ListUsers page %d: %w", page, err)}
		}
		for _, u := range p.Users {
			if !self.is(u) && u.Attributes[c.Attr+"_verified"] == "true" {
				return Result{Conflict, nil}
			}
		}
		if p.Next == "" {
			return Result{Clean, nil}
		}
		if p.Next == token {
			return Result{Failed, errors.New("ListUsers returned the same pagination token twice")}
		}
		token = p.Next
	}
}
