// Package targets runs a scenario's sign-up somewhere: in process, through the
// Lambda Invoke API, or through a real user pool. Each target reports what it
// could observe, and nil for what it cannot.
package targets

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
)

// Holder is a user who is already in the pool before the sign-up.
type Holder struct {
	Username   string
	Attributes map[string]string
	// Disabled holders still hold their aliases.
	Disabled bool
}

// Input is everything a scenario asks a target to do: the sign-up and the
// pool as any target can arrange them, and, apart, what only the in-process
// target's fake pool can arrange.
type Input struct {
	// Fixture is the fixture's name, for messages.
	Fixture string
	// Event is the fixture's bytes: a real-shaped pre sign-up event.
	Event []byte
	// Generated marks an event built by a step rather than read from a file;
	// like the fixtures under bad/, it may be malformed on purpose.
	Generated bool
	// Holders must exist in the pool before the sign-up.
	Holders []Holder
	// Policy is the ALIAS_POLICY the scenario assumes; empty means the default.
	Policy handler.Policy
	// Lookup is the ALIAS_LOOKUP the scenario needs; empty means any.
	Lookup handler.LookupMode
	// Tags are the scenario's tags, so a target can name what it cannot run.
	Tags []string
	// ValueFaults are what the pool answers the function's lookups of the
	// scenario's own values, as Cognito does under load or failure. Any
	// target whose pool the run controls injects them.
	ValueFaults []ValueFault
	// Fake is what only a fake pool and an in-process handler can arrange;
	// nil when the scenario needs none of it.
	Fake *FakeSettings
	// Key, when set, names a sign-up that may be sent again once the first
	// one was cleaned up: each send of it gets the same values, as the same
	// user would type them (Namer.ScenarioFor).
	Key string
}

// Fault is a failure a fake pool injects into every call.
type Fault string

// The faults. Their values are cognitofake's.
const (
	FaultServerError Fault = "internal-error"
	FaultThrottle    Fault = "throttled"
	FaultMalformed   Fault = "malformed"
	FaultReset       Fault = "reset"
	FaultHang        Fault = "hang"
	FaultNoPool      Fault = "resource-not-found"
	FaultRefused     Fault = "connection-refused"
	// FaultLate is a right answer that comes late, after ValueFault.Delay.
	FaultLate Fault = "late"
)

// ValueFault fails or delays every lookup of one value of the scenario: a
// ListUsers whose filter asks about it, an AdminGetUser of it.
type ValueFault struct {
	// Attr and Value are the attribute and the value as the fixture has
	// them; a live target maps the value to its test value.
	Attr, Value string
	// Fault is FaultThrottle, FaultServerError or FaultLate.
	Fault Fault
	// Delay is how late a FaultLate answer comes.
	Delay time.Duration
}

// PoolConfig is a fake pool's configuration: which attributes are aliases,
// or serve as usernames.
type PoolConfig struct {
	AliasAttributes, UsernameAttributes []string
}

// FakeSettings arrange the fake pool and the handler in process.
type FakeSettings struct {
	// Fault fails every call; DescribeFault only DescribeUserPool.
	Fault, DescribeFault Fault
	// Latency delays every answer; PageSize caps ListUsers pages.
	Latency  time.Duration
	PageSize int
	// Pool replaces the default configuration (email and phone aliases).
	Pool *PoolConfig
	// Budget is the handler's ALIAS_LOOKUP_TIMEOUT; Deadline the time the
	// invocation has left, as Lambda's context would say. Zero means the
	// default and no deadline.
	Budget, Deadline time.Duration
}

// Fakes returns in's fake-pool settings, creating them on first use.
func (in *Input) Fakes() *FakeSettings {
	if in.Fake == nil {
		in.Fake = &FakeSettings{}
	}
	return in.Fake
}

// Observation is what a target could see of one sign-up. A nil field means the
// target cannot observe it, and steps that need it skip with a reason.
type Observation struct {
	// Sent is the event as the target sent it, when it had to rewrite the
	// fixture (a real pool id, unique addresses); nil means Input.Event.
	Sent []byte
	// SignUp and Read are what the pool target sent (the SignUp request,
	// without password or SecretHash) and what AdminGetUser read back
	// afterwards, as JSON.
	SignUp, Read []byte
	// Response is the raw event the function returned.
	Response []byte
	// Refused is set when the function returned an error; Message is its text.
	Refused bool
	Message string
	// Failure is set, with Refused, when the sign-up failed in a way Cognito
	// fails it whatever the handler meant: no answer in time, or a runtime
	// that could not run the handler. It says which, where the target can
	// tell: a pool shows only the timeout (see docs/cognito-rules.md §4).
	Failure string
	// Unreadable, set with Failure, says why Cognito cannot read the answer
	// the function gave (ReadAnswer), or, through a pool, does not take it
	// (AnswerRefusal): the function answered, it did not err.
	Unreadable string
	// ErrorType is the function error's type, where the target sees it: the
	// Invoke API gives it; through a pool, Cognito passes on only the message.
	ErrorType string
	// Panicked is set when the function error is a Go panic (GoPanic), where
	// the target sees the error's body.
	Panicked bool
	// Flags as set in the response, or as observed on the created user.
	Confirmed, EmailVerified, PhoneVerified *bool
	// Unverified names what the scenario's existing users held verified
	// and no longer do once the handler answered ("holder1's email"): the
	// handler took it from them itself. Only the live targets read it.
	Unverified []string
	// Lookups are the user lookups the function made: ListUsers and
	// AdminGetUser calls, not reads of the pool's configuration.
	Lookups []Lookup
	// Elapsed is the time from sending the sign-up to its answer.
	Elapsed time.Duration
}

// Describer is a target that can name the implementation it tested, for the
// report: a function and its version, a pool's trigger, the handler in process.
type Describer interface {
	Implementation() string
}

// Target runs a scenario's sign-up somewhere and reports what it observed.
type Target interface {
	// Name is the target's name as the CLI and reports spell it.
	Name() string
	// Run performs the sign-up. An error means the target itself failed (a
	// network error, a misconfiguration); a refused sign-up is an Observation.
	// An error wrapping ErrCannot means the target cannot run this input.
	Run(ctx context.Context, in *Input) (*Observation, error)
	// Cleanup removes whatever Run created for the scenario with this input.
	Cleanup(ctx context.Context, in *Input) error
}

// Lookup is one user lookup a function made.
type Lookup struct {
	// Op is ListUsers or AdminGetUser.
	Op string
	// Filter is ListUsers' filter; Username is AdminGetUser's.
	Filter, Username string
}

// Exactly reports whether the lookup asks about exactly value as attr: an
// AdminGetUser of the value, or a ListUsers filter that Cognito's documented
// grammar reads as one exact match on the whole value.
func (l Lookup) Exactly(attr, value string) bool {
	if l.Op == cognitofake.OpAdminGetUser {
		return l.Username == value
	}
	f, err := cognitofake.ParseFilter(l.Filter)
	return err == nil && f == cognitofake.Filter{Attr: attr, Value: value}
}

func (l Lookup) String() string {
	if l.Op == cognitofake.OpAdminGetUser {
		return "AdminGetUser " + l.Username
	}
	return "ListUsers " + l.Filter
}

// cognitoTimedOut matches the texts of a sign-up that got no answer in time:
// Cognito's (rules §4); Lambda's own, when the function's timeout, shorter
// than Cognito's 5 s, ran out first and Cognito passed Lambda's error on
// (inferred, rules §4); and the one `local` gives when it plays Cognito.
var cognitoTimedOut = regexp.MustCompile(`Socket timeout while invoking Lambda function|Task timed out after [0-9.]+ seconds|timed out: Cognito would fail it`)

// failureOf says why an invocation's error is a failure rather than a
// refusal: a timeout, or Lambda's Runtime.* and Sandbox.* error types, which
// the runtime reports when it could not run the handler. errorType is empty
// where the target cannot see it.
func failureOf(errorType, message string) string {
	switch {
	case cognitoTimedOut.MatchString(message) || errorType == "Sandbox.Timedout" || errorType == "Cognito.Timeout":
		return "timed out: Cognito fails the sign-up"
	case strings.HasPrefix(errorType, "Runtime.") || strings.HasPrefix(errorType, "Sandbox."):
		return "the runtime failed (" + errorType + "): Cognito fails the sign-up"
	}
	return ""
}
