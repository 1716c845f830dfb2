package cognitofake

import (
	"net/http"
	"slices"
	"strconv"
)

// listUsers serves ListUsers.
func (s *Server) listUsers(w http.ResponseWriter, body []byte) {
	var in listUsersInput
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
	if msg := unset(match, in.AttributesToGet); msg != "" {
		invalidParameter(w, msg)
		return
	}
	page, ok := in.page(match, limit)
	if !ok {
		invalidParameter(w, "Invalid pagination token")
		return
	}
	writeJSON(w, page)
}

// listUsersInput is a ListUsers request.
type listUsersInput struct {
	UserPoolId      string
	Filter          string
	Limit           *int
	PaginationToken string
	AttributesToGet []string
}

// listUsersPage is one page of a ListUsers answer.
type listUsersPage struct {
	Users           []User `json:"Users"`
	PaginationToken string `json:"PaginationToken,omitempty"`
}

// page is the page of match that in's token starts, limit users long, with
// only the attributes in asks for; ok is false for a token this fake did
// not give.
func (in listUsersInput) page(match []User, limit int) (listUsersPage, bool) {
	start := 0
	if in.PaginationToken != "" {
		var err error
		start, err = strconv.Atoi(in.PaginationToken)
		if err != nil || start < 0 || start > len(match) {
			return listUsersPage{}, false
		}
	}
	end := min(start+limit, len(match))
	out := listUsersPage{Users: []User{}}
	for _, u := range match[start:end] {
		out.Users = append(out.Users, only(u, in.AttributesToGet))
	}
	if end < len(match) {
		out.PaginationToken = strconv.Itoa(end)
	}
	return out, true
}

// unset says which attribute of attrs a user in match has not set: "Amazon
// Cognito returns an error if not all users in the results have set a
// value for the attribute you request" (rules §22.4). The exact message is
// not documented; the exception type is the documented one. "" when all
// have.
func unset(match []User, attrs []string) string {
	for _, u := range match {
		for _, a := range attrs {
			if _, ok := u.attr(a); !ok {
				return "AttributesToGet asks for " + strconv.Quote(a) + ", which a user in the results has not set"
			}
		}
	}
	return ""
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
