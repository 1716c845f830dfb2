package cognitofake

import (
	"errors"
	"strings"
)

// searchable lists the attributes Cognito documents as searchable by ListUsers.
var searchable = map[string]bool{
	"username": true, "email": true, "phone_number": true, "name": true,
	"given_name": true, "family_name": true, "preferred_username": true,
	"cognito:user_status": true, "status": true, "sub": true,
}

// errFilter is Cognito's answer to a filter it cannot parse, in its words.
//
//lint:ignore ST1005 Cognito's own message, which handlers may match
var errFilter = errors.New("Error while parsing filter.")

// Filter is a parsed ListUsers filter.
type Filter struct {
	Attr   string
	Prefix bool // ^= rather than =
	Value  string
}

// ParseFilter reads `AttributeName Filter-Type "AttributeValue"` the way
// Cognito documents it: the name may be quoted, spaces around the operator are
// optional, and a quote inside the value is escaped with a backslash. An empty
// filter matches everyone and is returned as the zero Filter.
func ParseFilter(s string) (Filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Filter{}, nil
	}
	var f Filter
	// Attribute name, optionally quoted.
	if s[0] == '"' {
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return f, errFilter
		}
		f.Attr, s = s[1:1+end], s[2+end:]
	} else {
		end := strings.IndexAny(s, " ^=")
		if end <= 0 {
			return f, errFilter
		}
		f.Attr, s = s[:end], s[end:]
	}
	s = strings.TrimLeft(s, " ")
	switch {
	case strings.HasPrefix(s, "^="):
		f.Prefix, s = true, s[2:]
	case strings.HasPrefix(s, "="):
		s = s[1:]
	default:
		return f, errFilter
	}
	s = strings.TrimLeft(s, " ")
	if len(s) < 2 || s[0] != '"' {
		return f, errFilter
	}
	var b strings.Builder
	i := 1
	for ; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			if i+1 >= len(s) {
				return f, errFilter
			}
			i++
			b.WriteByte(s[i])
			continue
		}
		if c == '"' {
			break
		}
		b.WriteByte(c)
	}
	if i >= len(s) || strings.TrimSpace(s[i+1:]) != "" {
		return f, errFilter // unterminated value, or text after it
	}
	if !searchable[f.Attr] {
		return f, errors.New("Invalid search attribute: " + f.Attr)
	}
	f.Value = b.String()
	return f, nil
}

// Match reports whether u matches the filter. Searches are case-insensitive,
// as Cognito documents.
func (f Filter) Match(u User) bool {
	if f.Attr == "" {
		return true
	}
	var v string
	switch f.Attr {
	case "username":
		v = u.Username
	case "cognito:user_status":
		v = u.UserStatus
	case "status":
		v = "Enabled"
		if !u.Enabled {
			v = "Disabled"
		}
	default:
		got, ok := u.attr(f.Attr)
		if !ok {
			return false
		}
		v = got
	}
	if f.Prefix {
		return len(v) >= len(f.Value) && strings.EqualFold(v[:len(f.Value)], f.Value)
	}
	return strings.EqualFold(v, f.Value)
}
