package cognito

import (
	"context"
	"fmt"

	"github.com/autoconfirm/autoconfirm/handler"
)

// Lazy is a handler.UserLister whose SDK client is built in the background.
// Loading the AWS configuration reads the shared config files and the system
// certificate pool, a few milliseconds that would otherwise sit on the cold
// start path; started at init, it overlaps the runtime's start and the wait
// for the first event.
type Lazy struct {
	ready  chan struct{}
	lister handler.UserLister
	err    error
}

// NewLazy starts build in a goroutine and returns at once.
func NewLazy(build func() (handler.UserLister, error)) *Lazy {
	l := &Lazy{ready: make(chan struct{})}
	go func() {
		defer close(l.ready)
		l.lister, l.err = build()
	}()
	return l
}

// Wait blocks until the client is built and returns the build's error.
func (l *Lazy) Wait(ctx context.Context) error {
	select {
	case <-l.ready:
		return l.err
	case <-ctx.Done():
		return fmt.Errorf("the Cognito client was not ready in time: %w", ctx.Err())
	}
}

// ListUsers implements handler.UserLister once the client is built.
func (l *Lazy) ListUsers(ctx context.Context, poolID, filter, token string) (handler.Page, error) {
	if err := l.Wait(ctx); err != nil {
		return handler.Page{}, err
	}
	return l.lister.ListUsers(ctx, poolID, filter, token)
}
