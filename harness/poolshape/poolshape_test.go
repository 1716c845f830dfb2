package poolshape

import (
	"flag"
	"slices"
	"strings"
	"testing"
)

func TestRefusal(t *testing.T) {
	emailOnly := map[string]string{"email": "jane@example.com"}
	phoneOnly := map[string]string{"phone_number": "+15555550100"}
	both := map[string]string{"email": "chris@example.com", "phone_number": "+15555550143"}
	requiresEmail := Shape{AliasAttributes: []string{Email, Phone}, Required: []string{Email}}
	emailUsername := Shape{UsernameAttributes: []string{Email}}
	for _, tt := range []struct {
		name  string
		shape Shape
		su    SignUp
		want  string // a part of the reason; "" for none
	}{
		{"the default pool refuses nothing", Default(), SignUp{Source: SourceSignUp, Attributes: map[string]string{}}, ""},
		{"a required email address missing", requiresEmail, SignUp{Source: SourceSignUp, Attributes: phoneOnly}, "requires email"},
		{"a required email address given", requiresEmail, SignUp{Source: SourceSignUp, Attributes: both}, ""},
		{"a required email address given empty", requiresEmail, SignUp{Source: SourceSignUp, Attributes: map[string]string{"email": " "}}, "requires email"},
		{"AdminCreateUser need not give a required attribute", requiresEmail, SignUp{Source: SourceAdminCreate, Attributes: phoneOnly}, ""},
		{"a federated sign-up is never judged", requiresEmail, SignUp{Source: "PreSignUp_ExternalProvider", Attributes: phoneOnly}, ""},
		{"email as username, without an email address", emailUsername, SignUp{Source: SourceSignUp, Attributes: phoneOnly}, "as username"},
		{"email as username, by AdminCreateUser without one", emailUsername, SignUp{Source: SourceAdminCreate, Attributes: phoneOnly}, "as username"},
		{"email or phone as username, with a phone number", Shape{UsernameAttributes: []string{Email, Phone}}, SignUp{Source: SourceSignUp, Attributes: phoneOnly}, ""},
		{"email as username, held by another user", emailUsername,
			SignUp{Source: SourceSignUp, Attributes: emailOnly, Holders: []map[string]string{{"email": "jane@example.com", "email_verified": "true"}}}, "UsernameExistsException"},
		{"email as username, held unverified", emailUsername,
			SignUp{Source: SourceSignUp, Attributes: emailOnly, Holders: []map[string]string{{"email": "jane@example.com", "email_verified": "false"}}}, "UsernameExistsException"},
		{"email as username, held in other letter case", emailUsername,
			SignUp{Source: SourceSignUp, Attributes: emailOnly, Holders: []map[string]string{{"email": "Jane@EXAMPLE.com"}}}, "UsernameExistsException"},
		{"email as username, another address held", emailUsername,
			SignUp{Source: SourceSignUp, Attributes: emailOnly, Holders: []map[string]string{{"email": "other@example.com"}}}, ""},
		{"an alias held by another user is the trigger's to judge", Default(),
			SignUp{Source: SourceSignUp, Attributes: emailOnly, Holders: []map[string]string{{"email": "jane@example.com", "email_verified": "true"}}}, ""},
		{"a phone number the client may not write", Shape{WriteAttributes: []string{"email"}}, SignUp{Source: SourceSignUp, Attributes: both}, "may not write phone_number"},
		{"Cognito's own attributes are never written", Shape{WriteAttributes: []string{"email"}},
			SignUp{Source: SourceSignUp, Attributes: map[string]string{"email": "a@example.com", "sub": "x", "email_verified": "true"}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.shape.Refusal(tt.su)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Refusal = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want Shape
		err  string
	}{
		{nil, Default(), ""},
		{[]string{"--username-attributes", "email"}, Shape{UsernameAttributes: []string{Email}}, ""},
		{[]string{"--alias-attributes", "email,phone_number", "--required-attributes", "email", "--auto-verified-attributes", "email"},
			Shape{AliasAttributes: []string{Email, Phone}, Required: []string{Email}, AutoVerified: []string{Email}}, ""},
		{[]string{"--alias-attributes", ""}, Shape{}, ""},
		{[]string{"--username-attributes", "email", "--alias-attributes", "phone_number"}, Shape{}, "not both"},
		{[]string{"--required-attributes", "custom:plan"}, Shape{}, "not one of"},
		{[]string{"--username-attributes", "preferred_username"}, Shape{}, "not one of"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			f := Bind(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			got, err := f.Over(Default())
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got.String() != tt.want.String() {
				t.Fatalf("got %s (%v), want %s", got, err, tt.want)
			}
			// The flags a shape gives a child run say the same shape.
			fs2 := flag.NewFlagSet("t", flag.ContinueOnError)
			f2 := Bind(fs2)
			if err := fs2.Parse(got.Args()); err != nil {
				t.Fatal(err)
			}
			if again, err := f2.Over(Default()); err != nil || again.String() != got.String() {
				t.Errorf("through Args: %s (%v), want %s", again, err, got)
			}
		})
	}
}

func TestResolvable(t *testing.T) {
	a, u := Shape{AliasAttributes: []string{Email, "preferred_username"}}.Resolvable()
	if !slices.Equal(a, []string{Email}) || len(u) != 0 {
		t.Errorf("aliases %v, usernames %v", a, u)
	}
	a, u = Shape{UsernameAttributes: []string{Email}}.Resolvable()
	if len(a) != 0 || !slices.Equal(u, []string{Email}) {
		t.Errorf("aliases %v, usernames %v", a, u)
	}
}
