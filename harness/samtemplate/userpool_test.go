package samtemplate

import (
	"slices"
	"testing"
)

func TestUserPool(t *testing.T) {
	for _, tt := range []struct {
		path, fn string
		ok       bool
		want     UserPool
	}{
		{"../../testdata/templates/requires-email/template.yaml", "PreSignUp", true,
			UserPool{LogicalID: "UserPool", AliasAttributes: []string{"email", "phone_number"}, Required: []string{"email"}, AutoVerified: []string{"email"}}},
		{"../../testdata/templates/email-username/template.yaml", "PreSignUp", true,
			UserPool{LogicalID: "UserPool", UsernameAttributes: []string{"email"}, AutoVerified: []string{"email"}}},
		// The project's pool is created only when asked, and its aliases
		// come from a CommaDelimitedList parameter.
		{"../../template.yaml", "PreSignUpFunction", true, UserPool{LogicalID: "UserPool", AliasAttributes: []string{"email", "phone_number"}}},
		{"../../testdata/templates/python/template.yaml", "PreSignUp", false, UserPool{}},
	} {
		t.Run(tt.path, func(t *testing.T) {
			tpl, err := Read(tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			p, ok, err := tpl.UserPool(tt.fn)
			if err != nil || ok != tt.ok || p.LogicalID != tt.want.LogicalID || !slices.Equal(p.UsernameAttributes, tt.want.UsernameAttributes) ||
				!slices.Equal(p.AliasAttributes, tt.want.AliasAttributes) || !slices.Equal(p.Required, tt.want.Required) || !slices.Equal(p.AutoVerified, tt.want.AutoVerified) {
				t.Errorf("UserPool = %+v, %t, %v; want %+v, %t", p, ok, err, tt.want, tt.ok)
			}
		})
	}
}
