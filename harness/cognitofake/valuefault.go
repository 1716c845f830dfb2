package cognitofake

import (
	"strings"
	"time"
)

// valueFault fails or delays the lookups of one value.
type valueFault struct {
	fault Fault
	delay time.Duration
}

// SetValueFault makes every lookup of value (in any letter case) wait delay
// and then fail with f, or answer right when f is FaultNone: a ListUsers
// whose filter asks about it, an AdminGetUser of it. Other calls are
// answered as before, so one value can be throttled while the rest of the
// pool answers.
func (s *Server) SetValueFault(value string, f Fault, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byValue == nil {
		s.byValue = map[string]valueFault{}
	}
	s.byValue[strings.ToLower(value)] = valueFault{fault: f, delay: delay}
}

// valueFaultOf is the fault on the value c asks about. s.mu must be held.
func (s *Server) valueFaultOf(c Call) (valueFault, bool) {
	for v, f := range s.byValue {
		if c.Asks(v) {
			return f, true
		}
	}
	return valueFault{}, false
}

// CallOf reads the recorded parts of an operation's request body.
func CallOf(op string, body []byte) Call { return callOf(op, body) }

// Asks reports whether the call looks value up, in any letter case: an
// AdminGetUser of it, or a ListUsers whose filter names it, as Cognito's
// grammar reads the filter or anywhere in its text.
func (c Call) Asks(value string) bool {
	switch c.Op {
	case OpAdminGetUser:
		return strings.EqualFold(c.Username, value)
	case OpListUsers:
		if f, err := ParseFilter(c.Filter); err == nil && strings.EqualFold(f.Value, value) {
			return true
		}
		return value != "" && strings.Contains(strings.ToLower(c.Filter), strings.ToLower(value))
	}
	return false
}
