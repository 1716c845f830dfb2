package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		stdin  string
		status int
		out    string
	}{
		{"flag", []string{"--username", "testuser", "--client-id", "example-client-id", "--client-secret", "example-client-secret"}, nil, "", 0, "qJLOmgFFGvIJpGybKcInaUWIz+n1wqKiwa3THQGv0sI=\n"},
		{"env", []string{"--username", "testuser"}, map[string]string{"COGNITO_CLIENT_ID": "example-client-id", "COGNITO_CLIENT_SECRET": "example-client-secret"}, "", 0, "qJLOmgFFGvIJpGybKcInaUWIz+n1wqKiwa3THQGv0sI=\n"},
		{"stdin", []string{"--username", "jane@example.com", "--client-id", "1example23456789"}, nil, "abcdefghijklmnopqrstuvwxyz0123456789abcdefghij\n", 0, "Vvzm6aV4siYoWAeok5YAODlJr2QghL086ry8A0CWT6w=\n"},
		{"no secret", []string{"--username", "u", "--client-id", "c"}, nil, "", 2, ""},
		{"no username", []string{"--client-id", "c"}, nil, "", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			got := run(tt.args, func(k string) string { return tt.env[k] }, strings.NewReader(tt.stdin), &out, &errb)
			if got != tt.status || out.String() != tt.out {
				t.Errorf("status %d, out %q (stderr %q); want %d, %q", got, out.String(), errb.String(), tt.status, tt.out)
			}
			if strings.Contains(errb.String(), "example-client-secret") {
				t.Error("the secret appeared on stderr")
			}
		})
	}
}
