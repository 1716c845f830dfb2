package presignup

import (
	"strings"
	"testing"
)

func TestPlausibleEmail(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"jane@example.com", true},
		{"jane+tag@sub.example.co.uk", true},
		{`"john\"doe"@example.com`, true},
		{`"john doe"@example.com`, true},
		{"jürgen@müller.de", true},
		{"用户@例子.广告", true},
		{"", false},
		{"   ", false},
		{" jane@example.com", false},
		{"jane@example.com ", false},
		{"jane", false},
		{"@example.com", false},
		{"jane@", false},
		{"jane doe@example.com", false},
		{"jane@exa mple.com", false},
		{"jane@.example.com", false},
		{"jane@example..com", false},
		{"jane@example.com.", false},
		{"ja\x00ne@example.com", false},
		{"jane@exam\x00ple.com", false},
		{"ja\xffne@example.com", false},
		{strings.Repeat("a", 250) + "@b.co", false},
	}
	for _, tt := range tests {
		if got := PlausibleEmail(tt.in); got != tt.want {
			t.Errorf("PlausibleEmail(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidE164(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"+15555550100", true},
		{"+1", true},
		{"+123456789012345", true},
		{"+1234567890123456", false},
		{"+0123456789", false},
		{"5550100", false},
		{"+1 555 555 0100", false},
		{"+1-555-555-0100", false},
		{"+", false},
		{"", false},
		{"+1555555010a", false},
		{"++15555550100", false},
		{"+１５５５", false},
	}
	for _, tt := range tests {
		if got := ValidE164(tt.in); got != tt.want {
			t.Errorf("ValidE164(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
