package handler

import (
	"fmt"

	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/handler/guard"
	"github.com/autoconfirm/autoconfirm/presignup"
)

// Policy says what the alias guard does when another user already holds a
// verified email address or phone number.
type Policy string

// The alias policies. skip-verify is the default because it is safe and never
// blocks a sign-up.
const (
	PolicySkipVerify Policy = "skip-verify"
	PolicyReject     Policy = "reject"
	PolicyAllow      Policy = "allow"
)

// LookupMode is ALIAS_LOOKUP: how the guard asks the pool who holds a value.
type LookupMode = guard.Mode

// The lookup modes (see guard.Mode).
const (
	LookupAdminGetUser = guard.AdminGetUser
	LookupListUsers    = guard.ListUsers
)

// MaxLookupTimeout bounds ALIAS_LOOKUP_TIMEOUT. Cognito waits about 5 s for
// the whole trigger, cold start included, and the invoke deadline that cuts
// the budget starts only after init. Allowing 1 s for a cold start, 0.5 s for
// Cognito's and Lambda's own round trip, the budget, and the 150 ms kept back
// for the answer: 1 + 0.5 + 2.5 + 0.15 = 4.15 s, 0.85 s inside 5 s.
const MaxLookupTimeout = 2500 * time.Millisecond

// Config is the handler's configuration. It is read once at start-up.
type Config struct {
	// Policy is ALIAS_POLICY.
	Policy Policy
	// Lookup is ALIAS_LOOKUP.
	Lookup LookupMode
	// AutoAttributes is ALIAS_ATTRIBUTES=auto: read the pool's alias
	// attributes with DescribeUserPool, and check both when that fails.
	AutoAttributes bool
	// CheckEmail and CheckPhone come from ALIAS_ATTRIBUTES: only attributes that
	// are aliases in the pool can move, so only those need a lookup. With
	// AutoAttributes they are the fallback, both true.
	CheckEmail, CheckPhone bool
	// LookupTimeout is ALIAS_LOOKUP_TIMEOUT, the guard's own budget.
	LookupTimeout time.Duration
	// LookupReserve is kept back from the Lambda deadline to answer in;
	// zero is the guard's own, 150 ms. No variable sets it: a harness that
	// runs the handler on a faster clock does.
	LookupReserve time.Duration
	// MaxPages is ALIAS_MAX_PAGES, the bound on ListUsers pages per lookup
	// in list-users mode.
	MaxPages int
	// LogLevel is LOG_LEVEL.
	LogLevel slog.Level
}

// Setting describes one environment variable: LoadConfig's errors quote its
// allowed values and default.
type Setting struct {
	Name, Default, Allowed, Purpose string
}

// Settings lists every environment variable the handler reads.
var Settings = []Setting{
	{"ALIAS_POLICY", "skip-verify", "skip-verify, reject, allow", "What to do when another user already holds the email or phone number as a verified alias."},
	{"ALIAS_LOOKUP", "admin-get-user", "admin-get-user, list-users", "How the guard asks the pool who holds a value."},
	{"ALIAS_ATTRIBUTES", "auto", "auto, none, or a comma-separated subset of email, phone_number", "Which attributes are aliases in the pool and so need a lookup; auto reads them with DescribeUserPool."},
	{"ALIAS_LOOKUP_TIMEOUT", "2s", "a Go duration from 10ms to 2.5s", "The guard's budget for all lookups of one sign-up; the Lambda deadline can shorten it."},
	{"ALIAS_MAX_PAGES", "10", "an integer from 1 to 100", "How many ListUsers pages one lookup may read before it gives up and fails closed (list-users only)."},
	{"LOG_LEVEL", "info", "debug, info, warn, error", "Verbosity of the JSON log on stdout. Personal data is redacted at every level."},
}

// DefaultConfig is the configuration with no variables set.
func DefaultConfig() Config {
	return Config{
		Policy:         PolicySkipVerify,
		Lookup:         LookupAdminGetUser,
		AutoAttributes: true,
		CheckEmail:     true,
		CheckPhone:     true,
		LookupTimeout:  2 * time.Second,
		MaxPages:       10,
		LogLevel:       slog.LevelInfo,
	}
}

// NeedsLookups reports whether the configuration asks the pool anything at
// all, and so whether an SDK client and IAM permissions are needed.
func (c Config) NeedsLookups() bool {
	return c.Policy != PolicyAllow && (c.AutoAttributes || c.CheckEmail || c.CheckPhone)
}

// Actions lists the IAM actions on the pool that the configuration uses.
func (c Config) Actions() []string {
	if !c.NeedsLookups() {
		return nil
	}
	var out []string
	if c.Lookup == LookupListUsers {
		out = append(out, "cognito-idp:ListUsers")
	} else {
		out = append(out, "cognito-idp:AdminGetUser")
	}
	if c.AutoAttributes {
		out = append(out, "cognito-idp:DescribeUserPool")
	}
	return out
}

// LoadConfig reads the configuration through getenv (os.Getenv in main). An
// error names the variable and its allowed values.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	for _, p := range parsers {
		if v := strings.TrimSpace(getenv(p.name)); v != "" && !p.parse(&c, v) {
			return c, invalidSetting(p.name, v)
		}
	}
	return c, nil
}

// invalidSetting says that a variable's value is not valid, and what is.
func invalidSetting(name, value string) error {
	for _, s := range Settings {
		if s.Name == name {
			return fmt.Errorf("configuration: %s=%q is not valid; allowed: %s (default %s)", name, value, s.Allowed, s.Default)
		}
	}
	return fmt.Errorf("configuration: %s=%q is not valid", name, value)
}

// parsers read each variable that is set into the configuration, in this
// order; parse reports whether the value is valid.
var parsers = []struct {
	name  string
	parse func(c *Config, v string) bool
}{
	{"ALIAS_POLICY", func(c *Config, v string) bool {
		p := Policy(strings.ToLower(v))
		c.Policy = p
		return p == PolicySkipVerify || p == PolicyReject || p == PolicyAllow
	}},
	{"ALIAS_LOOKUP", func(c *Config, v string) bool {
		m := LookupMode(strings.ToLower(v))
		c.Lookup = m
		return m == LookupAdminGetUser || m == LookupListUsers
	}},
	{"ALIAS_ATTRIBUTES", parseAttributes},
	{"ALIAS_LOOKUP_TIMEOUT", func(c *Config, v string) bool {
		d, err := time.ParseDuration(v)
		c.LookupTimeout = d
		return err == nil && d >= 10*time.Millisecond && d <= MaxLookupTimeout
	}},
	{"ALIAS_MAX_PAGES", func(c *Config, v string) bool {
		n, err := strconv.Atoi(v)
		c.MaxPages = n
		return err == nil && n >= 1 && n <= 100
	}},
	{"LOG_LEVEL", func(c *Config, v string) bool {
		switch strings.ToLower(v) {
		case "debug", "info", "warn", "error":
			return c.LogLevel.UnmarshalText([]byte(v)) == nil
		}
		return false
	}},
}

// parseAttributes reads ALIAS_ATTRIBUTES: auto, none, or a list of email
// and phone_number.
func parseAttributes(c *Config, v string) bool {
	if strings.EqualFold(v, "auto") {
		return true
	}
	c.AutoAttributes, c.CheckEmail, c.CheckPhone = false, false, false
	if strings.EqualFold(v, "none") {
		return true
	}
	for _, part := range strings.Split(v, ",") {
		switch strings.TrimSpace(part) {
		case presignup.AttrEmail:
			c.CheckEmail = true
		case presignup.AttrPhone:
			c.CheckPhone = true
		default:
			return false
		}
	}
	return true
}
