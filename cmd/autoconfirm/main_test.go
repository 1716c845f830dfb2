package main

import (
	"context"
	"strings"
	"testing"
)

// TestBadSDKSettingStopsTheStart: a bad AWS SDK setting once let the
// function start, log once, and then confirm everyone and verify nothing.
func TestBadSDKSettingStopsTheStart(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"AWS_MAX_ATTEMPTS", "abc", "AWS_MAX_ATTEMPTS"},
		{"AWS_RETRY_MODE", "bogus", "AWS_RETRY_MODE"},
		{"ALIAS_LOOKUP", "scan", "ALIAS_LOOKUP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_REGION", "us-east-1")
			t.Setenv(tt.name, tt.value)
			h, err := setup(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("setup() = %v, %v; want an error naming %s", h, err, tt.want)
			}
		})
	}
	t.Run("allow needs no SDK", func(t *testing.T) {
		t.Setenv("AWS_MAX_ATTEMPTS", "abc")
		t.Setenv("ALIAS_POLICY", "allow")
		if _, err := setup(context.Background()); err != nil {
			t.Fatalf("ALIAS_POLICY=allow failed on an SDK setting it never uses: %v", err)
		}
	})
}
