package conformance

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/poolshape"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// TestPoolShapeInProcess: given a pool's shape, the scenarios whose sign-up
// it refuses before the trigger runs are left out in process too, and a
// claimed profile with nothing left is a usage error naming the shape.
func TestPoolShapeInProcess(t *testing.T) {
	requiresEmail := &poolshape.Shape{AliasAttributes: []string{"email", "phone_number"}, Required: []string{"email"}}
	emailUsername := &poolshape.Shape{UsernameAttributes: []string{"email"}}
	// Written for a pool that requires email: no email, no answer.
	needsEmail := func(event []byte, obs *targets.Observation) {
		if !gjson.GetBytes(event, "request.userAttributes.email").Exists() {
			obs.Refused, obs.Message, obs.Response = true, "TypeError: Cannot read properties of undefined", nil
		}
	}
	keyPresence := func(event []byte, obs *targets.Observation) {
		if !obs.Refused {
			a := gjson.GetBytes(event, "request.userAttributes")
			set(obs, "response.autoVerifyEmail", a.Get("email").Exists())
			set(obs, "response.autoVerifyPhone", a.Get("phone_number").Exists())
		}
	}
	emailAlias, noAlias := &poolshape.Shape{AliasAttributes: []string{"email"}}, &poolshape.Shape{}
	// Guards the email address, as autoconfirm does, and verifies any
	// phone number it is given.
	unguardedPhone := func(event []byte, obs *targets.Observation) {
		if !obs.Refused && gjson.GetBytes(event, "request.userAttributes.phone_number").Exists() {
			set(obs, "response.autoVerifyPhone", true)
		}
	}
	for _, tt := range []struct {
		name         string
		shape        *poolshape.Shape
		rewrite      func([]byte, *targets.Observation)
		profiles     []string
		defaultClaim bool
		want         int
		says         []string
	}{
		{"a handler that needs email, in the default pool", nil, needsEmail, []string{ProfileConfirm}, false, ExitFailed, nil},
		{"the same, in a pool that requires email", requiresEmail, needsEmail, []string{ProfileConfirm}, false, ExitPass,
			[]string{"NOT APPLICABLE TO THIS POOL (usernames none; aliases email,phone_number; required email", "a user who gives only a phone number"}},
		{"an unguarded handler's alias-safe, in the default pool", nil, keyPresence, []string{ProfileAliasSafe}, false, ExitFailed, nil},
		{"the same, in an email-as-username pool, claimed", emailUsername, keyPresence, []string{ProfileAliasSafe}, false, ExitUsage,
			[]string{"alias-safe (", "claim nothing this pool can produce", "usernames email"}},
		{"the same, under the default claim", emailUsername, keyPresence, []string{ProfileConfirm, ProfileAliasSafe}, true, ExitPass,
			[]string{"alias-safe     not applicable"}},
		// Only an alias moves when it is verified (rules §8; red team round 25).
		{"an unguarded phone number, in a pool whose only alias is email", emailAlias, unguardedPhone, []string{ProfileAliasSafe}, false, ExitPass,
			[]string{"Someone else has verified the phone number: phone_number is not an alias attribute in this pool"}},
		{"the same, in the default pool", nil, unguardedPhone, []string{ProfileAliasSafe}, false, ExitFailed, nil},
		{"an unguarded handler, in a pool whose only alias is email", emailAlias, keyPresence, []string{ProfileAliasSafe}, false, ExitFailed, nil},
		{"an unguarded handler's alias-safe, in a pool with no alias, claimed", noAlias, keyPresence, []string{ProfileAliasSafe}, false, ExitUsage,
			[]string{"claim nothing this pool can produce", "aliases none"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			res := Run(context.Background(), Options{Target: handlerStyle{targets.NewInProcess(), tt.rewrite}, Content: autoconfirm.Content(), Format: "progress",
				Profiles: tt.profiles, Concurrency: 4, Output: &out, Errors: &out, NoColors: true, Shape: tt.shape, DefaultClaim: tt.defaultClaim})
			if res.Status != tt.want {
				t.Errorf("status %d, want %d\n%s", res.Status, tt.want, tail(out.String()))
			}
			for _, s := range tt.says {
				if !strings.Contains(out.String(), s) {
					t.Errorf("the output lacks %q\n%s", s, tail(out.String()))
				}
			}
		})
	}
}

// TestCheckClaim: a claim the pool's shape leaves nothing to judge is
// refused before any sign-up is sent, naming the profile and the shape; a
// claim with something applicable, or the default claim, is not.
func TestCheckClaim(t *testing.T) {
	emailUsername := &poolshape.Shape{UsernameAttributes: []string{"email"}, AutoVerified: []string{"email"}}
	def := poolshape.Default()
	for _, tt := range []struct {
		name         string
		shape        *poolshape.Shape
		profiles     []string
		defaultClaim bool
		says         []string // nil: no error
	}{
		{"alias-safe in an email-as-username pool", emailUsername, []string{ProfileCognito, ProfileAliasSafe}, false,
			[]string{"alias-safe (", "claim nothing this pool can produce", "usernames email"}},
		{"cognito and confirm there", emailUsername, []string{ProfileCognito, ProfileConfirm}, false, nil},
		{"alias-safe in the default pool", &def, []string{ProfileAliasSafe}, false, nil},
		{"alias-safe there under the default claim", emailUsername, []string{ProfileConfirm, ProfileAliasSafe}, true, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckClaim(Options{Content: autoconfirm.Content(), Profiles: tt.profiles, Shape: tt.shape, DefaultClaim: tt.defaultClaim})
			if (err == nil) != (tt.says == nil) {
				t.Fatalf("error %v, want one saying %q", err, tt.says)
			}
			for _, s := range tt.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %v lacks %q", err, s)
				}
			}
		})
	}
}
