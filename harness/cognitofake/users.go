package cognitofake

import (
	"fmt"
	"net/http"
	"slices"
)

// adminCreateUser serves AdminCreateUser: the user is created with status
// FORCE_CHANGE_PASSWORD and a sub, or refused with UsernameExistsException
// when the name is taken (rules §22.1). The fake sends no message and checks
// no password policy. Its quota (UserCreation, rules §22.5) is not applied:
// tests create few users.
func (s *Server) adminCreateUser(w http.ResponseWriter, body []byte) {
	var in struct {
		UserPoolId, Username string
		UserAttributes       []Attribute
	}
	if !decode(w, body, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lockedPool(w, in.UserPoolId)
	if p == nil {
		return
	}
	if p.index(in.Username) >= 0 {
		writeError(w, http.StatusBadRequest, "UsernameExistsException", "User account already exists")
		return
	}
	s.subs++
	u := User{Username: in.Username, Enabled: true, UserStatus: "FORCE_CHANGE_PASSWORD",
		Attributes: append([]Attribute{{"sub", fmt.Sprintf("00000000-0000-4000-8000-%012d", s.subs)}}, in.UserAttributes...)}
	p.users = append(p.users, u)
	writeJSON(w, map[string]any{"User": map[string]any{"Username": u.Username, "Attributes": u.Attributes, "Enabled": true, "UserStatus": u.UserStatus}})
}

// adminDeleteUser serves AdminDeleteUser, by username.
func (s *Server) adminDeleteUser(w http.ResponseWriter, body []byte) {
	var in struct{ UserPoolId, Username string }
	if !decode(w, body, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lockedPool(w, in.UserPoolId)
	if p == nil {
		return
	}
	if i := p.index(in.Username); i >= 0 {
		p.users = slices.Delete(p.users, i, i+1)
		writeJSON(w, map[string]any{})
		return
	}
	writeError(w, http.StatusBadRequest, "UserNotFoundException", "User does not exist.")
}

// Usernames returns the usernames in a pool, for tests.
func (s *Server) Usernames(poolID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if p, ok := s.pools[poolID]; ok {
		for _, u := range p.users {
			out = append(out, u.Username)
		}
	}
	return out
}
