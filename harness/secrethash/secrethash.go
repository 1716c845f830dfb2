// Package secrethash computes the SecretHash that Cognito requires from an app
// client with a secret: Base64(HMAC-SHA256(key = client secret,
// message = username + client id)).
package secrethash

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// Compute returns the SecretHash for username, the exact string sent as
// Username, and the app client's id and secret.
func Compute(username, clientID, clientSecret string) string {
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(username))
	mac.Write([]byte(clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
