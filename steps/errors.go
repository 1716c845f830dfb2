package steps

import (
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// FunctionError is one sign-up in which the function errored, whatever the
// scenario made of it: a run names every one, pass or fail, so that a crash
// where a refusal is allowed is never hidden (see targets.CrashOf).
type FunctionError struct {
	Scenario string
	// URI and AstNodeIDs place the scenario, as in Failure; both are empty
	// for the control sign-up.
	URI        string
	AstNodeIDs []string
	Fixture    string
	// Type is the error's type, "" where the depth cannot see it; Message
	// its text, as much as bounded.HandlerText keeps.
	Type, Message string
	// Crash says why this is not the handler's own refusal; "" for a refusal.
	Crash string
}

// errorOf is the function error an observation shows, if the function
// errored: a refusal, a crash or a timeout, not an answer Cognito could not
// read, which the function gave without erring.
func errorOf(obs *targets.Observation) (FunctionError, bool) {
	if obs == nil || !obs.Refused || obs.Unreadable != "" {
		return FunctionError{}, false
	}
	e := FunctionError{Type: obs.ErrorType, Message: bounded.Text(obs.Message, bounded.HandlerText), Crash: targets.CrashOf(obs.ErrorType, obs.Message)}
	if e.Crash == "" && obs.Panicked {
		e.Crash = targets.PanicCrash
	}
	if obs.Failure != "" && e.Crash == "" {
		e.Crash = obs.Failure
	}
	return e, true
}

// recordError counts the scenario's function error, if it had one.
func (st *scenario) recordError() {
	e, ok := errorOf(st.obs)
	if !ok || st.suite.Tally == nil {
		return
	}
	e.Scenario, e.URI, e.AstNodeIDs = st.failure.Scenario, st.failure.URI, st.failure.AstNodeIDs
	e.Fixture = st.in.Fixture
	if !st.in.Generated && e.Fixture != "" {
		e.Fixture = FixturePath(e.Fixture)
	}
	st.suite.Tally.errored(e)
}

func (t *Tally) errored(e FunctionError) {
	t.mu.Lock()
	t.errors = append(t.errors, e)
	t.mu.Unlock()
}

// FunctionErrors returns every sign-up in which the function errored, the
// control's included, in the order they ended.
func (t *Tally) FunctionErrors() []FunctionError {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]FunctionError(nil), t.errors...)
}
