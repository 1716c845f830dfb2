// Package guard answers the alias guard's question: does another user hold
// this email address or phone number as a verified alias? It asks Cognito
// through a narrow Directory (AdminGetUser, ListUsers, DescribeUserPool) within
// a time budget, and fails closed.
package guard

import (
	"context"
	"errors"
)

// User is a user of the pool as far as the guard needs it: the name Cognito
// knows it by and its attributes (sub, email, email_verified, …).
type User struct {
	Username   string
	Attributes map[string]string
}

// Page is one ListUsers answer. Next is empty on the last page.
type Page struct {
	Users []User
	Next  string
}

// ErrUserNotFound is what a UserGetter returns when no user answers to the
// name: for an alias value, no user holds it as an active (verified) alias.
var ErrUserNotFound = errors.New("user not found")

// UserGetter is AdminGetUser: the user a username, sub or active alias names.
type UserGetter interface {
	GetUser(ctx context.Context, poolID, username string) (User, error)
}

// UserLister is ListUsers: one page of the users a filter matches.
type UserLister interface {
	ListUsers(ctx context.Context, poolID, filter, pageToken string) (Page, error)
}

// AliasReader is DescribeUserPool: which of email and phone_number are alias
// attributes of the pool.
type AliasReader interface {
	AliasAttributes(ctx context.Context, poolID string) ([]string, error)
}

// Directory is the narrow view of Cognito the guard needs. The cognito
// package adapts the SDK client to it; each configuration uses only part of
// it. Funcs builds one from functions, for tests.
type Directory interface {
	UserGetter
	UserLister
	AliasReader
}
