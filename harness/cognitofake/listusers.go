package cognitofake

import (
	"net/http"
	"slices"
	"strconv"
)

// listUsers serves ListUsers.
func (s *Server) listUsers(w http.ResponseWriter, body []byte) {
	var in struct {
		UserPoolId      string
		Filter          string
		Limit           *int
		PaginationToken string
		AttributesToGet []string
	}
	if !decode(w, body, &in) {
		return
	}
	// UserList category, 30/s by default (rules §22.5).
	if !s.allowList() {
		throttled(w)
		return
	}
	_, users, ok := s.poolOf(w, in.UserPoolId)
	if !ok {
		return
	}
	f, err := ParseFilter(in.Filter)
	if err != nil {
		invalidParameter(w, err.Error())
		return
	}
	var match []User
	for _, u := range users {
		if f.Match(u) {
			match = append(match, u)
		}
	}
	limit, msg := ListUsersLimit(in.Limit)
	if msg != "" {
		invalidParameter(w, msg)
		return
	}
	s.mu.Lock()
	if s.pageSize > 0 && s.pageSize < limit {
		limit = s.pageSize
	}
	s.mu.Unlock()
	// "Amazon Cognito returns an error if not all users in the results have
	// set a value for the attribute you request" (rules §22.4). The exact
	// message is not documented; the exception type is the documented one.
	if in.AttributesToGet != nil {
		for _, u := range match {
			for _, a := range in.AttributesToGet {
				if _, ok := u.attr(a); !ok {
					invalidParameter(w, "AttributesToGet asks for "+strconv.Quote(a)+", which a user in the results has not set")
					return
				}
			}
		}
	}
	start := 0
	if in.PaginationToken != "" {
		start, err = strconv.Atoi(in.PaginationToken)
		if err != nil || start < 0 || start > len(match) {
			invalidParameter(w, "Invalid pagination token")
			return
		}
	}
	end := min(start+limit, len(match))
	out := struct {
		Users           []User `json:"Users"`
		PaginationToken string `json:"PaginationToken,omitempty"`
	}{Users: []User{}}
	for _, u := range match[start:end] {
		out.Users = append(out.Users, only(u, in.AttributesToGet))
	}
	if end < len(match) {
		out.PaginationToken = strconv.Itoa(end)
	}
	writeJSON(w, out)
}

// only keeps the requested attributes; nil keeps all of them ("When you don't
// provide an AttributesToGet parameter, Amazon Cognito returns all
// attributes", rules §22.4).
func only(u User, names []string) User {
	if names == nil {
		return u
	}
	var attrs []Attribute
	for _, a := range u.Attributes {
		if slices.Contains(names, a.Name) {
			attrs = append(attrs, a)
		}
	}
	u.Attributes = attrs
	return u
}

// ListUsersLimit reads ListUsers' Limit as Cognito does: 0 to 60, where 0
// or none means 60 (rules §22.4: "Valid Range: Minimum value of 0. Maximum
// value of 60"; the message for 200 is quoted there, the one for a negative
// value follows the same form). msg is the InvalidParameterException's
// message, or empty.
func ListUsersLimit(limit *int) (n int, msg string) {
	switch {
	case limit == nil || *limit == 0:
		return 60, ""
	case *limit < 0:
		return 0, "1 validation error detected: Value '" + strconv.Itoa(*limit) + "' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0"
	case *limit > 60:
		return 0, "1 validation error detected: Value '" + strconv.Itoa(*limit) + "' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"
	}
	return *limit, ""
}

// FilterError is Cognito's message for a filter it cannot parse (rules
// §22.3).
const FilterError = "Error while parsing filter."
