package cognitofake

import (
	"net/http"
	"slices"
	"strings"
)

// Attribute is a name-value pair, as in Cognito's replies.
type Attribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// User is one user, in the ListUsers reply shape.
type User struct {
	Username   string      `json:"Username"`
	Attributes []Attribute `json:"Attributes"`
	UserStatus string      `json:"UserStatus,omitempty"`
	Enabled    bool        `json:"Enabled"`
}

func (u User) attr(name string) (string, bool) {
	for _, a := range u.Attributes {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// PoolConfig is the part of a pool's configuration the fake acts on.
type PoolConfig struct {
	// AliasAttributes are the sign-in aliases among email, phone_number and
	// preferred_username.
	AliasAttributes []string
	// UsernameAttributes are the attributes that serve as the username
	// (email-as-username pools); a pool has aliases or these, not both.
	UsernameAttributes []string
}

// DefaultPoolConfig is the pool a scenario is about: email and phone number
// both aliases.
var DefaultPoolConfig = PoolConfig{AliasAttributes: []string{"email", "phone_number"}}

type pool struct {
	cfg   PoolConfig
	users []User
}

// index returns the position of the user with this username, or -1.
// Usernames match exactly, which is stricter than a default pool.
func (p *pool) index(username string) int {
	return slices.IndexFunc(p.users, func(u User) bool { return u.Username == username })
}

// CreatePool creates a pool, or replaces the configuration of an existing one.
func (s *Server) CreatePool(poolID string, cfg PoolConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pools[poolID]; ok {
		p.cfg = cfg
		return
	}
	s.pools[poolID] = &pool{cfg: cfg}
}

// Seed adds users to a pool, creating it with DefaultPoolConfig if needed.
func (s *Server) Seed(poolID string, users ...User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[poolID]
	if !ok {
		p = &pool{cfg: DefaultPoolConfig}
		s.pools[poolID] = p
	}
	p.users = append(p.users, users...)
}

// lockedPool returns the pool to change, s.mu held, or answers
// ResourceNotFoundException and returns nil.
func (s *Server) lockedPool(w http.ResponseWriter, poolID string) *pool {
	p, ok := s.pools[poolID]
	if !ok {
		writeError(w, http.StatusBadRequest, "ResourceNotFoundException", "User pool "+poolID+" does not exist.")
	}
	return p
}

// poolOf returns a copy of the pool's users and its configuration, or answers
// ResourceNotFoundException as Cognito does for an unknown pool (rules §22.4,
// §4.6: both operations list ResourceNotFoundException).
func (s *Server) poolOf(w http.ResponseWriter, poolID string) (PoolConfig, []User, bool) {
	s.mu.Lock()
	p, ok := s.pools[poolID]
	var users []User
	var cfg PoolConfig
	if ok {
		users, cfg = append([]User(nil), p.users...), p.cfg
	}
	if !ok {
		s.lockedPool(w, poolID)
	}
	s.mu.Unlock()
	return cfg, users, ok
}

// sameValue compares attribute values as Cognito matches them: email without
// regard to case (rules §22.3, "All searches are case-insensitive"; §22.2),
// everything else exactly.
func sameValue(attr, a, b string) bool {
	if attr == "email" {
		return strings.EqualFold(a, b)
	}
	return a == b
}
