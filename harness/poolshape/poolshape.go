// Package poolshape is a user pool's shape as far as the pre sign-up trigger
// is concerned: which attributes are usernames or aliases, which are
// required, which Cognito verifies itself, and which the app client may
// write. It decides, from Cognito's documented rules (docs/cognito-rules.md
// §9), whether the pool would refuse a sign-up before the trigger runs: such
// a sign-up is not applicable to the pool, and no verdict on a handler may
// rest on it. cognito-local enforces none of this, so the decision is the
// project's, made here once for every target.
package poolshape

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
)

// The attributes a shape names.
const (
	Email = "email"
	Phone = "phone_number"
)

// Shape is a pool's configuration that decides which sign-ups reach the
// trigger.
type Shape struct {
	// UsernameAttributes are the attributes users sign up and in with
	// instead of a username: email, phone_number or both.
	UsernameAttributes []string `json:"username_attributes,omitempty"`
	// AliasAttributes are the attributes that, verified, sign a user in
	// beside the username: email, phone_number, preferred_username.
	AliasAttributes []string `json:"alias_attributes,omitempty"`
	// Required are the standard attributes a sign-up must give.
	Required []string `json:"required_attributes,omitempty"`
	// AutoVerified are the attributes Cognito sends a code to verify.
	AutoVerified []string `json:"auto_verified_attributes,omitempty"`
	// WriteAttributes are the attributes the app client may write; nil
	// means every standard attribute, Cognito's default.
	WriteAttributes []string `json:"write_attributes,omitempty"`
}

// Default is the local pool's shape unless told otherwise: email address
// and phone number as aliases, neither required.
func Default() Shape { return Shape{AliasAttributes: []string{Email, Phone}} }

// standard are Cognito's standard attributes, the only ones a pool can
// require (rules §9).
var standard = []string{"address", "birthdate", "email", "family_name", "gender", "given_name", "locale", "middle_name",
	"name", "nickname", "phone_number", "picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo"}

// Validate refuses a shape Cognito would refuse to create.
func (s Shape) Validate() error {
	check := func(what string, got, allowed []string) error {
		for _, a := range got {
			if !slices.Contains(allowed, a) {
				return fmt.Errorf("%s: %q is not one of %s", what, a, strings.Join(allowed, ", "))
			}
		}
		return nil
	}
	errs := []error{
		check("username attributes", s.UsernameAttributes, []string{Email, Phone}),
		check("alias attributes", s.AliasAttributes, []string{Email, Phone, "preferred_username"}),
		check("auto-verified attributes", s.AutoVerified, []string{Email, Phone}),
		check("required attributes", s.Required, standard),
	}
	if len(s.UsernameAttributes) > 0 && len(s.AliasAttributes) > 0 {
		errs = append(errs, errors.New("a pool has username attributes or alias attributes, not both: give one of --username-attributes and --alias-attributes"))
	}
	return errors.Join(errs...)
}

// String names the shape for a person: "usernames email; aliases none;
// required email; auto-verified email".
func (s Shape) String() string {
	list := func(l []string) string {
		if len(l) == 0 {
			return "none"
		}
		return strings.Join(l, ",")
	}
	out := fmt.Sprintf("usernames %s; aliases %s; required %s; auto-verified %s",
		list(s.UsernameAttributes), list(s.AliasAttributes), list(s.Required), list(s.AutoVerified))
	if s.WriteAttributes != nil {
		out += "; the app client writes " + list(s.WriteAttributes)
	}
	return out
}

// Resolvable are the attributes whose value AdminGetUser takes as a
// username: the verified aliases among email and phone_number, and the
// username attributes, verified or not (rules §9).
func (s Shape) Resolvable() (aliases, usernames []string) {
	for _, a := range s.AliasAttributes {
		if a == Email || a == Phone {
			aliases = append(aliases, a)
		}
	}
	return aliases, append([]string(nil), s.UsernameAttributes...)
}

// Args are the flags that give this shape to another run of the runner.
func (s Shape) Args() []string {
	args := []string{
		"--username-attributes", strings.Join(s.UsernameAttributes, ","),
		"--alias-attributes", strings.Join(s.AliasAttributes, ","),
		"--required-attributes", strings.Join(s.Required, ","),
		"--auto-verified-attributes", strings.Join(s.AutoVerified, ","),
	}
	if s.WriteAttributes != nil {
		args = append(args, "--write-attributes", strings.Join(s.WriteAttributes, ","))
	}
	return args
}

// Flags are the shape's command-line flags, bound by Bind.
type Flags struct {
	username, alias, required, verified, write listFlag
}

// Bind registers the shape's flags on fs.
func Bind(fs *flag.FlagSet) *Flags {
	f := &Flags{alias: listFlag{value: []string{Email, Phone}}}
	fs.Var(&f.username, "username-attributes", "the pool's UsernameAttributes, comma-separated: email, phone_number (users sign up with one instead of a username); empty for none")
	fs.Var(&f.alias, "alias-attributes", "the pool's AliasAttributes, comma-separated: email, phone_number, preferred_username; empty for none (default email,phone_number, or none with --username-attributes)")
	fs.Var(&f.required, "required-attributes", "the standard attributes the pool's schema requires, comma-separated, e.g. email")
	fs.Var(&f.verified, "auto-verified-attributes", "the pool's AutoVerifiedAttributes, comma-separated: email, phone_number")
	fs.Var(&f.write, "write-attributes", "the attributes the app client may write, comma-separated (default: every standard attribute, as Cognito's)")
	return f
}

// Given says whether any of the shape's flags was set.
func (f *Flags) Given() bool {
	return f.username.set || f.alias.set || f.required.set || f.verified.set || f.write.set
}

// Over applies the flags that were set to base, and checks the result.
func (f *Flags) Over(base Shape) (Shape, error) {
	s := base
	if f.username.set {
		s.UsernameAttributes = f.username.value
		if !f.alias.set { // Cognito takes one or the other
			s.AliasAttributes = nil
		}
	}
	if f.alias.set {
		s.AliasAttributes = f.alias.value
	}
	if f.required.set {
		s.Required = f.required.value
	}
	if f.verified.set {
		s.AutoVerified = f.verified.value
	}
	if f.write.set {
		s.WriteAttributes = append([]string{}, f.write.value...)
	}
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("the pool's shape: %w", err)
	}
	return s, nil
}

// listFlag is a comma-separated list; set says it was given.
type listFlag struct {
	value []string
	set   bool
}

func (l *listFlag) String() string { return strings.Join(l.value, ",") }

func (l *listFlag) Set(v string) error {
	l.value, l.set = nil, true
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(l.value, p) {
			l.value = append(l.value, p)
		}
	}
	return nil
}
