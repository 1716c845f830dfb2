package handler

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
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

// Attribute names the handler reads.
const (
	AttrEmail = "email"
	AttrPhone = "phone_number"
)

// Config is the handler's configuration. It is read once at start-up.
type Config struct {
	// Policy is ALIAS_POLICY.
	Policy Policy
	// CheckEmail and CheckPhone come from ALIAS_ATTRIBUTES: only attributes that
	// are aliases in the pool can move, so only those need a lookup.
	CheckEmail, CheckPhone bool
	// LookupTimeout is ALIAS_LOOKUP_TIMEOUT, the guard's own budget.
	LookupTimeout time.Duration
	// MaxPages is ALIAS_MAX_PAGES, the bound on ListUsers pages per lookup.
	MaxPages int
	// LogLevel is LOG_LEVEL.
	LogLevel slog.Level
}

// Setting describes one environment variable, for errors and the README.
type Setting struct {
	Name, Default, Allowed, Purpose string
}

// Settings lists every environment variable the handler reads.
var Settings = []Setting{
	{"ALIAS_POLICY", "skip-verify", "skip-verify, reject, allow", "What to do when another user already holds the email or phone number as a verified alias."},
	{"ALIAS_ATTRIBUTES", "email,phone_number", "a comma-separated subset of email, phone_number, or none", "Which attributes are aliases in the pool and so need a ListUsers lookup before auto-verify."},
	{"ALIAS_LOOKUP_TIMEOUT", "2s", "a Go duration from 10ms to 4s", "The guard's budget for all lookups of one sign-up; the Lambda deadline can shorten it."},
	{"ALIAS_MAX_PAGES", "10", "an integer from 1 to 100", "How many ListUsers pages one lookup may read before it gives up and fails closed."},
	{"LOG_LEVEL", "info", "debug, info, warn, error", "Verbosity of the JSON log on stdout. Personal data is redacted at every level."},
}

// DefaultConfig is the configuration with no variables set.
func DefaultConfig() Config {
	return Config{
		Policy:        PolicySkipVerify,
		CheckEmail:    true,
		CheckPhone:    true,
		LookupTimeout: 2 * time.Second,
		MaxPages:      10,
		LogLevel:      slog.LevelInfo,
	}
}

// NeedsLookups reports whether the configuration calls ListUsers at all, and so
// whether an SDK client and the IAM permission are needed.
func (c Config) NeedsLookups() bool {
	return c.Policy != PolicyAllow && (c.CheckEmail || c.CheckPhone)
}

// LoadConfig reads the configuration through getenv (os.Getenv in main). An
// error names the variable and its allowed values.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	bad := func(name, value string) error {
		for _, s := range Settings {
			if s.Name == name {
				return fmt.Errorf("configuration: %s=%q is not valid; allowed: %s (default %s)", name, value, s.Allowed, s.Default)
			}
		}
		return fmt.Errorf("configuration: %s=%q is not valid", name, value)
	}
	if v := strings.TrimSpace(getenv("ALIAS_POLICY")); v != "" {
		switch p := Policy(strings.ToLower(v)); p {
		case PolicySkipVerify, PolicyReject, PolicyAllow:
			c.Policy = p
		default:
			return c, bad("ALIAS_POLICY", v)
		}
	}
	if v := strings.TrimSpace(getenv("ALIAS_ATTRIBUTES")); v != "" {
		c.CheckEmail, c.CheckPhone = false, false
		if !strings.EqualFold(v, "none") {
			for _, part := range strings.Split(v, ",") {
				switch strings.TrimSpace(part) {
				case AttrEmail:
					c.CheckEmail = true
				case AttrPhone:
					c.CheckPhone = true
				default:
					return c, bad("ALIAS_ATTRIBUTES", v)
				}
			}
		}
	}
	if v := strings.TrimSpace(getenv("ALIAS_LOOKUP_TIMEOUT")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Millisecond || d > 4*time.Second {
			return c, bad("ALIAS_LOOKUP_TIMEOUT", v)
		}
		c.LookupTimeout = d
	}
	if v := strings.TrimSpace(getenv("ALIAS_MAX_PAGES")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return c, bad("ALIAS_MAX_PAGES", v)
		}
		c.MaxPages = n
	}
	if v := strings.TrimSpace(getenv("LOG_LEVEL")); v != "" {
		var l slog.Level
		switch strings.ToLower(v) {
		case "debug", "info", "warn", "error":
			_ = l.UnmarshalText([]byte(v))
			c.LogLevel = l
		default:
			return c, bad("LOG_LEVEL", v)
		}
	}
	return c, nil
}
