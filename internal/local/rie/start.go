package rie

import "context"

// startKey carries the function WithStart gives.
type startKey struct{}

// WithStart returns a context under which Invoke calls started once the
// invocation has an execution environment: an idle one, or a new one about
// to start cold. Cognito's 5 s an attempt count from then (gateway).
func WithStart(ctx context.Context, started func()) context.Context {
	return context.WithValue(ctx, startKey{}, started)
}

// Started calls the function ctx carries from WithStart, if any: an
// Invoker calls it once the invocation has its environment.
func Started(ctx context.Context) {
	if f, ok := ctx.Value(startKey{}).(func()); ok && f != nil {
		f()
	}
}

// TellsStart says that Invoke tells when an invocation has its
// environment (WithStart).
func (p *Proc) TellsStart() {}
