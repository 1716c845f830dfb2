package secrethash

import "testing"

// The vectors are the ones computed for rules §26, cross-checked there
// with Python's hmac and with openssl.
func TestCompute(t *testing.T) {
	tests := []struct{ user, client, secret, want string }{
		{"testuser", "example-client-id", "example-client-secret", "qJLOmgFFGvIJpGybKcInaUWIz+n1wqKiwa3THQGv0sI="},
		{"jane@example.com", "1example23456789", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghij", "Vvzm6aV4siYoWAeok5YAODlJr2QghL086ry8A0CWT6w="},
	}
	for _, tt := range tests {
		if got := Compute(tt.user, tt.client, tt.secret); got != tt.want {
			t.Errorf("Compute(%q, %q, …) = %s, want %s", tt.user, tt.client, got, tt.want)
		}
	}
}
