package handler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// User is one entry of a ListUsers page, as far as the guard needs it.
type User struct {
	Username   string
	Attributes map[string]string
}

// Page is one ListUsers answer. Next is empty on the last page.
type Page struct {
	Users []User
	Next  string
}

// UserLister is the narrow view of Cognito the guard needs: one ListUsers call.
// The cognito package adapts the SDK client to it.
type UserLister interface {
	ListUsers(ctx context.Context, poolID, filter, pageToken string) (Page, error)
}

// Outcome is what the guard decided for one attribute. It is logged, so it
// never carries the value.
type Outcome string

// The outcomes, per attribute.
const (
	OutcomeAbsent     Outcome = "absent"    // attribute missing
	OutcomeInvalid    Outcome = "invalid"   // present but not verifiable
	OutcomeUnchecked  Outcome = "unchecked" // verified without lookup (policy allow, or not an alias)
	OutcomeClean      Outcome = "clean"     // looked up, nobody else holds it verified
	OutcomeConflict   Outcome = "conflict"  // another user holds it verified
	OutcomeFailed     Outcome = "lookup-failed"
	OutcomeNotApplied Outcome = "not-applicable" // trigger source never verifies
)

// Verified reports whether the outcome lets the handler set the verify flag.
func (o Outcome) Verified() bool { return o == OutcomeUnchecked || o == OutcomeClean }

// maxFilterLen is ListUsers' documented limit on the Filter parameter.
const maxFilterLen = 256

// budgetReserve is kept back from the Lambda deadline for the rest of the
// invocation: building the answer and sending it.
const budgetReserve = 150 * time.Millisecond

// errFilter marks a value the guard refuses to put into a filter.
var errFilter = errors.New("value cannot be expressed safely as a ListUsers filter")

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

// lookup is one attribute the guard must check.
type lookup struct {
	attr, value string
}

// guard checks candidate attributes against the pool.
type guard struct {
	lister   UserLister
	timeout  time.Duration
	maxPages int
}

// budget returns the context for all lookups of one invocation: the guard's own
// timeout, shortened so that the answer still fits inside the Lambda deadline.
func (g *guard) budget(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(g.timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Add(-budgetReserve).Before(deadline) {
		deadline = dl.Add(-budgetReserve)
	}
	return context.WithDeadline(ctx, deadline)
}

// lookupResult is the outcome of one attribute's lookup.
type lookupResult struct {
	outcome Outcome
	err     error
}

// check looks up every candidate concurrently and returns one result per
// candidate, in order. It returns when the budget ends even if a lookup does
// not honour its context.
func (g *guard) check(ctx context.Context, poolID string, self selfID, cands []lookup) []lookupResult {
	results := make([]lookupResult, len(cands))
	if len(cands) == 0 {
		return results
	}
	bctx, cancel := g.budget(ctx)
	defer cancel()
	type done struct {
		i int
		r lookupResult
	}
	ch := make(chan done, len(cands)) // buffered: a late lookup never blocks
	for i, c := range cands {
		go func() {
			ch <- done{i, g.one(bctx, poolID, self, c)}
		}()
	}
	pending := len(cands)
	for i := range results {
		results[i] = lookupResult{OutcomeFailed, fmt.Errorf("lookup did not finish inside the guard's budget: %w", context.DeadlineExceeded)}
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

// selfID identifies the user who is signing up, so that a retried invocation
// never sees that user as "another" holder.
type selfID struct {
	username, sub string
}

func (s selfID) is(u User) bool {
	if s.username != "" && u.Username == s.username {
		return true
	}
	return s.sub != "" && u.Attributes["sub"] == s.sub
}

// one runs a single attribute's lookup, following pages up to the bound.
func (g *guard) one(ctx context.Context, poolID string, self selfID, c lookup) lookupResult {
	filter, err := Filter(c.attr, c.value)
	if err != nil {
		return lookupResult{OutcomeFailed, err}
	}
	token := ""
	for page := 1; ; page++ {
		if page > g.maxPages {
			return lookupResult{OutcomeFailed, fmt.Errorf("ListUsers returned more than %d pages; raise ALIAS_MAX_PAGES if this pool really has that many matches", g.maxPages)}
		}
		p, err := g.lister.ListUsers(ctx, poolID, filter, token)
		if err != nil {
			return lookupResult{OutcomeFailed, fmt.Errorf("ListUsers page %d: %w", page, err)}
		}
		for _, u := range p.Users {
			if !self.is(u) && holdsVerified(u, c) {
				return lookupResult{OutcomeConflict, nil}
			}
		}
		if p.Next == "" {
			return lookupResult{OutcomeClean, nil}
		}
		if p.Next == token {
			return lookupResult{OutcomeFailed, errors.New("ListUsers returned the same pagination token twice")}
		}
		token = p.Next
	}
}

// holdsVerified reports whether u holds the value as a verified attribute, the
// only state in which it is an alias that could move. Email comparison ignores
// case: Cognito searches case-insensitively, and treating a near-match as a
// conflict can only withhold a flag, never move an alias.
func holdsVerified(u User, c lookup) bool {
	v, ok := u.Attributes[c.attr]
	if !ok || u.Attributes[c.attr+"_verified"] != "true" {
		return false
	}
	if c.attr == AttrEmail {
		return strings.EqualFold(v, c.value)
	}
	return v == c.value
}
