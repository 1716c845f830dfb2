package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/internal/local/stack"
)

// Hosted is a handler hosted as local hosts it, for a command other than
// local to call: its stack, and what it is, named as the reports name it.
type Hosted struct {
	*stack.Stack
	// Implementation names the runtime, the handler and the code's
	// CodeSha256, and what differs from Lambda.
	Implementation string
	work           string
}

// Close stops the stack and removes the work directory.
func (h *Hosted) Close() {
	h.Stack.Close()
	os.RemoveAll(h.work)
}

// ErrCannotStart is returned when the handler cannot start, or cannot
// answer an ordinary sign-up in time: a setup error for the caller.
var ErrCannotStart = errors.New("the handler cannot start")

// Host prepares the handler, starts its stack and warms it up with an
// ordinary sign-up, as Run does before any scenario. Progress goes to
// stdout, prefixed "local:".
func Host(ctx context.Context, o Options, stdout io.Writer) (*Hosted, error) {
	r := &run{o: o, stdout: stdout, stderr: stdout, hostOnly: true}
	work, err := os.MkdirTemp("", "autoconfirm-local-")
	if err != nil {
		return nil, err
	}
	st, err := r.start(ctx, work)
	if err != nil {
		os.RemoveAll(work)
		return nil, err
	}
	h := &Hosted{Stack: st, Implementation: r.impl, work: work}
	r.describe(st)
	status, err := r.warmUp(ctx, st)
	switch {
	case err != nil:
		h.Close()
		return nil, err
	case status == conformance.ExitInterrupted:
		h.Close()
		return nil, ctx.Err()
	case status == conformance.ExitUsage:
		h.Close()
		return nil, fmt.Errorf("%w: %s (see above)", ErrCannotStart, o.Code)
	}
	// A function that starts and then fails or times out is hosted: its
	// decisions are what diff compares (red team round 15).
	return h, nil
}
