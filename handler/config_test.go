package handler

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(Config) bool
		wantErr string
	}{
		{"defaults", nil, func(c Config) bool {
			return c.Policy == PolicySkipVerify && c.Lookup == LookupAdminGetUser && c.AutoAttributes && c.CheckEmail && c.CheckPhone &&
				c.LookupTimeout == 2*time.Second && c.MaxPages == 10 && c.LogLevel == slog.LevelInfo
		}, ""},
		{"list-users", map[string]string{"ALIAS_LOOKUP": "list-users"}, func(c Config) bool { return c.Lookup == LookupListUsers }, ""},
		{"auto spelled out", map[string]string{"ALIAS_ATTRIBUTES": "auto"}, func(c Config) bool { return c.AutoAttributes && c.NeedsLookups() }, ""},
		{"bad lookup", map[string]string{"ALIAS_LOOKUP": "scan"}, nil, `ALIAS_LOOKUP="scan" is not valid; allowed: admin-get-user, list-users`},
		{"the old 4s maximum", map[string]string{"ALIAS_LOOKUP_TIMEOUT": "4s"}, nil, `allowed: a Go duration from 10ms to 2.5s`},
		{"the new maximum", map[string]string{"ALIAS_LOOKUP_TIMEOUT": "2.5s"}, func(c Config) bool { return c.LookupTimeout == MaxLookupTimeout }, ""},
		{"reject", map[string]string{"ALIAS_POLICY": "reject"}, func(c Config) bool { return c.Policy == PolicyReject }, ""},
		{"allow needs no lookups", map[string]string{"ALIAS_POLICY": "allow"}, func(c Config) bool { return !c.NeedsLookups() }, ""},
		{"email only", map[string]string{"ALIAS_ATTRIBUTES": "email"}, func(c Config) bool { return !c.AutoAttributes && c.CheckEmail && !c.CheckPhone }, ""},
		{"none", map[string]string{"ALIAS_ATTRIBUTES": "none"}, func(c Config) bool { return !c.NeedsLookups() }, ""},
		{"timeout", map[string]string{"ALIAS_LOOKUP_TIMEOUT": "750ms"}, func(c Config) bool { return c.LookupTimeout == 750*time.Millisecond }, ""},
		{"debug", map[string]string{"LOG_LEVEL": "DEBUG"}, func(c Config) bool { return c.LogLevel == slog.LevelDebug }, ""},
		{"bad policy", map[string]string{"ALIAS_POLICY": "yes"}, nil, `ALIAS_POLICY="yes" is not valid; allowed: skip-verify, reject, allow`},
		{"bad attrs", map[string]string{"ALIAS_ATTRIBUTES": "email,username"}, nil, `ALIAS_ATTRIBUTES="email,username" is not valid`},
		{"timeout too long", map[string]string{"ALIAS_LOOKUP_TIMEOUT": "5s"}, nil, `ALIAS_LOOKUP_TIMEOUT="5s" is not valid; allowed: a Go duration from 10ms to 2.5s`},
		{"timeout no unit", map[string]string{"ALIAS_LOOKUP_TIMEOUT": "2"}, nil, `ALIAS_LOOKUP_TIMEOUT="2"`},
		{"pages", map[string]string{"ALIAS_MAX_PAGES": "0"}, nil, `ALIAS_MAX_PAGES="0" is not valid; allowed: an integer from 1 to 100`},
		{"level", map[string]string{"LOG_LEVEL": "loud"}, nil, `LOG_LEVEL="loud" is not valid; allowed: debug, info, warn, error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadConfig(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("unexpected config %+v", c)
			}
		})
	}
}

func TestActions(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, "cognito-idp:AdminGetUser cognito-idp:DescribeUserPool"},
		{map[string]string{"ALIAS_LOOKUP": "list-users"}, "cognito-idp:ListUsers cognito-idp:DescribeUserPool"},
		{map[string]string{"ALIAS_ATTRIBUTES": "email"}, "cognito-idp:AdminGetUser"},
		{map[string]string{"ALIAS_LOOKUP": "list-users", "ALIAS_ATTRIBUTES": "email,phone_number"}, "cognito-idp:ListUsers"},
		{map[string]string{"ALIAS_POLICY": "allow"}, ""},
		{map[string]string{"ALIAS_ATTRIBUTES": "none"}, ""},
	}
	for _, tt := range tests {
		c, err := LoadConfig(func(k string) string { return tt.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(c.Actions(), " "); got != tt.want {
			t.Errorf("%v: actions %q, want %q", tt.env, got, tt.want)
		}
	}
}
