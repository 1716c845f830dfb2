package conformance

import (
	"strings"
	"testing"
)

func TestParseTags(t *testing.T) {
	tests := []struct {
		expr    string
		tags    []string
		match   bool
		wantErr string
	}{
		{"@alias", []string{"@alias"}, true, ""},
		{"@alias", []string{"@signup"}, false, ""},
		{"~@alias", []string{"@signup"}, true, ""},
		{"@alias && ~@faults", []string{"@alias", "@faults"}, false, ""},
		{"@alias && ~@faults", []string{"@alias"}, true, ""},
		{"@signup,@alias", []string{"@alias"}, true, ""},
		{" @signup , @alias && @faults ", []string{"@faults"}, false, ""},
		{"not @alias", nil, false, "Cucumber's words"},
		{"@a and", nil, false, "Cucumber's words"},
		{"(@a)", nil, false, "parentheses"},
		{"@@@", nil, false, "not a tag"},
		{"@signup,", nil, false, "empty term"},
		{"alias", nil, false, "not a tag"},
		{"@a && ", nil, false, "empty term"},
	}
	for _, tt := range tests {
		e, err := parseTags(tt.expr)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseTags(%q) error = %v, want %q", tt.expr, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseTags(%q): %v", tt.expr, err)
			continue
		}
		if got := e.match(tt.tags); got != tt.match {
			t.Errorf("%q matches %v = %t, want %t", tt.expr, tt.tags, got, tt.match)
		}
	}
}
