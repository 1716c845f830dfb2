package cognitofake

import "golang.org/x/time/rate"

// Quotas are request rates per second for one account and Region. Zero means
// no limit.
type Quotas struct {
	// UserRead covers AdminGetUser (rules §22.5: 120/s, adjustable).
	UserRead float64
	// UserList covers ListUsers (rules §22.5: 30/s, not adjustable).
	UserList float64
	// PerUserRead is the read rate for any one user (rules §22.5: 10/s).
	PerUserRead float64
}

// DefaultQuotas are Cognito's defaults. How large a burst Cognito allows is
// not documented (rules §22.5 gives rates only), so each bucket holds one
// second's worth of requests.
var DefaultQuotas = Quotas{UserRead: 120, UserList: 30, PerUserRead: 10}

type quotas struct {
	cfg        Quotas
	read, list *rate.Limiter
	perUser    map[string]*rate.Limiter // by pool and username
}

func limiter(r float64) *rate.Limiter {
	if r <= 0 {
		return rate.NewLimiter(rate.Inf, 0)
	}
	return rate.NewLimiter(rate.Limit(r), max(1, int(r)))
}

func newQuotas(q Quotas) *quotas {
	return &quotas{cfg: q, read: limiter(q.UserRead), list: limiter(q.UserList), perUser: map[string]*rate.Limiter{}}
}

// allowUser takes a token from one user's read bucket. s.mu must be held.
func (q *quotas) allowUser(poolID, username string) bool {
	key := poolID + "\x00" + username
	l, ok := q.perUser[key]
	if !ok {
		l = limiter(q.cfg.PerUserRead)
		q.perUser[key] = l
	}
	return l.Allow()
}

// allowList, allowRead and allowUser take a token from a bucket, and count
// the refusals.
func (s *Server) allowList() bool { return s.allow(func() bool { return s.quota.list.Allow() }) }
func (s *Server) allowRead() bool { return s.allow(func() bool { return s.quota.read.Allow() }) }
func (s *Server) allowUser(poolID, username string) bool {
	return s.allow(func() bool { return s.quota.allowUser(poolID, username) })
}

func (s *Server) allow(take func() bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := take()
	if !ok {
		s.throttled++
	}
	return ok
}
