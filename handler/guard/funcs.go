package guard

import (
	"context"
	"errors"
	"sync"
)

// Funcs is a Directory made of functions, for tests: a nil one fails the
// call, except Aliases, which then says both attributes are aliases.
type Funcs struct {
	Get     func(ctx context.Context, poolID, username string) (User, error)
	List    func(ctx context.Context, poolID, filter, token string) (Page, error)
	Aliases func(ctx context.Context, poolID string) ([]string, error)

	mu       sync.Mutex
	describe int // AliasAttributes calls
}

var errUnexpected = errors.New("guard.Funcs: no function for this call")

// GetUser implements UserGetter.
func (d *Funcs) GetUser(ctx context.Context, poolID, username string) (User, error) {
	if d.Get == nil {
		return User{}, errUnexpected
	}
	return d.Get(ctx, poolID, username)
}

// ListUsers implements UserLister.
func (d *Funcs) ListUsers(ctx context.Context, poolID, filter, token string) (Page, error) {
	if d.List == nil {
		return Page{}, errUnexpected
	}
	return d.List(ctx, poolID, filter, token)
}

// AliasAttributes implements AliasReader.
func (d *Funcs) AliasAttributes(ctx context.Context, poolID string) ([]string, error) {
	d.mu.Lock()
	d.describe++
	d.mu.Unlock()
	if d.Aliases == nil {
		return []string{AttrEmail, AttrPhone}, nil
	}
	return d.Aliases(ctx, poolID)
}

// Describes returns how many times AliasAttributes was called.
func (d *Funcs) Describes() int { d.mu.Lock(); defer d.mu.Unlock(); return d.describe }

// NotFound answers every AdminGetUser with ErrUserNotFound.
func NotFound(context.Context, string, string) (User, error) { return User{}, ErrUserNotFound }

// NoMatch answers every ListUsers with no user.
func NoMatch(context.Context, string, string, string) (Page, error) { return Page{}, nil }

// Nobody is a Directory that finds nobody, in either mode.
func Nobody() *Funcs { return &Funcs{Get: NotFound, List: NoMatch} }

// VerifiedHolder is a user who holds value as attr, verified.
func VerifiedHolder(name, attr, value string) User {
	return User{Username: name, Attributes: map[string]string{attr: value, attr + "_verified": "true", "sub": name + "-sub"}}
}
