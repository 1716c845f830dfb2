package handler

import (
	"context"
	"errors"
	"sync"
)

// dirFuncs is a Directory made of functions; a nil one fails the call.
type dirFuncs struct {
	get     func(ctx context.Context, poolID, username string) (User, error)
	list    func(ctx context.Context, poolID, filter, token string) (Page, error)
	aliases func(ctx context.Context, poolID string) ([]string, error)

	mu       sync.Mutex
	describe int // AliasAttributes calls
}

var errUnexpected = errors.New("unexpected call")

func (d *dirFuncs) GetUser(ctx context.Context, poolID, username string) (User, error) {
	if d.get == nil {
		return User{}, errUnexpected
	}
	return d.get(ctx, poolID, username)
}

func (d *dirFuncs) ListUsers(ctx context.Context, poolID, filter, token string) (Page, error) {
	if d.list == nil {
		return Page{}, errUnexpected
	}
	return d.list(ctx, poolID, filter, token)
}

func (d *dirFuncs) AliasAttributes(ctx context.Context, poolID string) ([]string, error) {
	d.mu.Lock()
	d.describe++
	d.mu.Unlock()
	if d.aliases == nil {
		return []string{AttrEmail, AttrPhone}, nil
	}
	return d.aliases(ctx, poolID)
}

func (d *dirFuncs) describes() int { d.mu.Lock(); defer d.mu.Unlock(); return d.describe }

// notFound answers every AdminGetUser with "no such user".
func notFound(context.Context, string, string) (User, error) { return User{}, ErrUserNotFound }

// emptyList answers every ListUsers with no match.
func emptyList(context.Context, string, string, string) (Page, error) { return Page{}, nil }

// cleanDir finds nobody, in either mode.
func cleanDir() *dirFuncs { return &dirFuncs{get: notFound, list: emptyList} }

func verifiedHolder(name, attr, value string) User {
	return User{Username: name, Attributes: map[string]string{attr: value, attr + "_verified": "true", "sub": name + "-sub"}}
}
