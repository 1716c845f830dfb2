package poolshape

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The trigger sources the rules distinguish: SignUp's, and AdminCreateUser's.
const (
	SourceSignUp      = "PreSignUp_SignUp"
	SourceAdminCreate = "PreSignUp_AdminCreateUser"
)

// SignUp is what the rules need of one scenario's sign-up: its trigger
// source, the attributes the user gave, and the users already in the pool.
type SignUp struct {
	Source     string
	Attributes map[string]string
	Holders    []map[string]string
}

// Refusal says why this pool would refuse the sign-up before its trigger
// runs (rules §9), or "" when the sign-up reaches the trigger. It judges
// only what is documented; a federated sign-up (PreSignUp_ExternalProvider)
// always reaches the trigger here.
func (s Shape) Refusal(su SignUp) string {
	signUp, admin := su.Source == SourceSignUp, su.Source == SourceAdminCreate
	if !signUp && !admin {
		return ""
	}
	if signUp && s.WriteAttributes != nil {
		for _, a := range slices.Sorted(maps.Keys(su.Attributes)) {
			if writable(a) && !slices.Contains(s.WriteAttributes, a) {
				return fmt.Sprintf("the app client may not write %s, so SignUp fails with NotAuthorizedException (rules §9)", a)
			}
		}
	}
	if len(s.UsernameAttributes) > 0 && !slices.ContainsFunc(s.UsernameAttributes, func(a string) bool { return su.Attributes[a] != "" }) {
		return fmt.Sprintf("users sign up with their %s as username, and this sign-up has none (rules §9)", strings.Join(s.UsernameAttributes, " or "))
	}
	if signUp {
		for _, a := range s.Required {
			if strings.TrimSpace(su.Attributes[a]) == "" {
				return fmt.Sprintf("the pool requires %s, and this sign-up has none: SignUp fails with InvalidParameterException (rules §9)", a)
			}
		}
	}
	for _, a := range s.UsernameAttributes {
		v := su.Attributes[a]
		if v == "" {
			continue
		}
		for _, h := range su.Holders {
			if same(a, h[a], v) {
				return fmt.Sprintf("another user already has this %s, and in this pool it is a username, which is unique: the sign-up fails with UsernameExistsException (rules §9)", a)
			}
		}
	}
	return ""
}

// writable says whether a client sends the attribute at all: sub, the
// *_verified flags and cognito:* names are Cognito's own.
func writable(a string) bool {
	return a != "sub" && !strings.HasSuffix(a, "_verified") && !strings.HasPrefix(a, "cognito:")
}

// same compares two values of an attribute as usernames: an email address
// in any letter case, as a pool's usernames are by default (rules §9).
func same(attr, a, b string) bool {
	if a == "" {
		return false
	}
	if attr == Email {
		return strings.EqualFold(a, b)
	}
	return a == b
}
