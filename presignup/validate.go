package presignup

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxEmailLen is RFC 5321's limit on a path; anything longer cannot be
// delivered, so it is not a plausible address.
const maxEmailLen = 254

// PlausibleEmail reports whether v can be auto-verified as an email address.
// Cognito refuses a sign-up whose verified email is missing or invalid, so this
// errs on the side of "no": one '@' split into a non-empty local part and a
// domain with a dot-free-or-dotted label, no whitespace or control characters
// at the edges or in the domain, valid UTF-8. Quoted local parts, Unicode and
// IDN addresses pass.
func PlausibleEmail(v string) bool {
	if v == "" || len(v) > maxEmailLen || !utf8.ValidString(v) {
		return false
	}
	at := strings.LastIndexByte(v, '@')
	if at <= 0 || at == len(v)-1 {
		return false
	}
	local, domain := v[:at], v[at+1:]
	for _, r := range v {
		if unicode.IsControl(r) {
			return false
		}
	}
	if strings.TrimSpace(v) != v || strings.TrimSpace(local) != local {
		return false
	}
	for _, r := range domain {
		if unicode.IsSpace(r) || r == '@' || r == '"' || r == '\\' {
			return false
		}
	}
	if domain[0] == '.' || domain[len(domain)-1] == '.' || strings.Contains(domain, "..") {
		return false
	}
	// An unquoted local part may not hold whitespace.
	if !(len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"') {
		for _, r := range local {
			if unicode.IsSpace(r) {
				return false
			}
		}
	}
	return true
}

// ValidE164 reports whether v is an E.164 number: '+', then 1 to 15 digits,
// the first not 0.
func ValidE164(v string) bool {
	if len(v) < 2 || len(v) > 16 || v[0] != '+' || v[1] < '1' || v[1] > '9' {
		return false
	}
	for i := 2; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}
