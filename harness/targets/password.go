package targets

import (
	"crypto/rand"
	"encoding/base64"
)

// Password returns a random password that meets Cognito's default policy.
func Password() string {
	b := make([]byte, 18)
	rand.Read(b)
	return "Aa1!" + base64.RawURLEncoding.EncodeToString(b)
}
