package cognito

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/handler"
)

type pageLister struct{ users int }

func (p pageLister) ListUsers(context.Context, string, string, string) (handler.Page, error) {
	return handler.Page{Users: make([]handler.User, p.users)}, nil
}

func TestLazy(t *testing.T) {
	release := make(chan struct{})
	l := NewLazy(func() (handler.UserLister, error) { <-release; return pageLister{2}, nil })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.ListUsers(ctx, "p", "f", ""); err == nil {
		t.Fatal("a lookup before the client was ready did not fail with its context")
	}
	close(release)
	p, err := l.ListUsers(context.Background(), "p", "f", "")
	if err != nil || len(p.Users) != 2 {
		t.Fatalf("after ready: %v, %d users", err, len(p.Users))
	}
	bad := NewLazy(func() (handler.UserLister, error) { return nil, errors.New("no config") })
	if _, err := bad.ListUsers(context.Background(), "p", "f", ""); err == nil || err.Error() != "no config" {
		t.Fatalf("a failed build gave %v", err)
	}
}
