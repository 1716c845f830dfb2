package cognitofake

import (
	"net/http"
	"regexp"
	"unicode/utf8"
)

// usernamePattern is AdminGetUser's documented Username pattern (rules §22.2).
var usernamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)

// adminGetUser serves AdminGetUser.
func (s *Server) adminGetUser(w http.ResponseWriter, body []byte) {
	var in struct{ UserPoolId, Username string }
	if !decode(w, body, &in) {
		return
	}
	// Username: 1 to 128 characters of letters, marks, symbols, numbers and
	// punctuation (rules §22.2).
	if n := utf8.RuneCountInString(in.Username); n < 1 || n > 128 || !usernamePattern.MatchString(in.Username) {
		invalidParameter(w, "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+ and have length between 1 and 128")
		return
	}
	// UserRead category, 120/s by default (rules §22.5).
	if !s.allowRead() {
		throttled(w)
		return
	}
	cfg, users, ok := s.poolOf(w, in.UserPoolId)
	if !ok {
		return
	}
	u, found := resolve(cfg, users, in.Username)
	if !found {
		writeError(w, http.StatusBadRequest, "UserNotFoundException", "User does not exist.")
		return
	}
	// Ten reads per second for any one user (rules §22.5).
	if !s.allowUser(in.UserPoolId, u.Username) {
		throttled(w)
		return
	}
	status := u.UserStatus
	if status == "" {
		status = "CONFIRMED"
	}
	// Disabled users are returned, with Enabled false (rules §22.2).
	writeJSON(w, map[string]any{"Username": u.Username, "UserAttributes": u.Attributes, "Enabled": u.Enabled, "UserStatus": status})
}

// resolve finds the user AdminGetUser names by name. The value may be the
// username, the sub, a verified value of one of the pool's alias attributes
// (only a verified value is an active alias), or the value of a username
// attribute, which need not be verified (rules §22.1, §22.2).
func resolve(cfg PoolConfig, users []User, name string) (User, bool) {
	for _, u := range users {
		if u.Username == name {
			return u, true
		}
	}
	for _, u := range users {
		if sub, ok := u.attr("sub"); ok && sub == name {
			return u, true
		}
	}
	for _, attr := range cfg.AliasAttributes {
		for _, u := range users {
			v, ok := u.attr(attr)
			verified, _ := u.attr(attr + "_verified")
			if ok && verified == "true" && sameValue(attr, v, name) {
				return u, true
			}
		}
	}
	for _, attr := range cfg.UsernameAttributes {
		for _, u := range users {
			if v, ok := u.attr(attr); ok && sameValue(attr, v, name) {
				return u, true
			}
		}
	}
	return User{}, false
}
