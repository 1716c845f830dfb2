package cognitofake

import (
	"testing"

	"github.com/autoconfirm/autoconfirm/handler/guard"
)

func TestParseFilter(t *testing.T) {
	tests := []struct {
		in   string
		want Filter
		err  bool
	}{
		{`email = "a@example.com"`, Filter{"email", false, "a@example.com"}, false},
		{`email="a@example.com"`, Filter{"email", false, "a@example.com"}, false},
		{`"email"^="testuser"`, Filter{"email", true, "testuser"}, false},
		{`phone_number ^= "+1312"`, Filter{"phone_number", true, "+1312"}, false},
		{`family_name = "Re\"ddy"`, Filter{"family_name", false, `Re"ddy`}, false},
		{``, Filter{}, false},
		{`email = ""."@gmail.com"`, Filter{}, true},
		{`email = "open`, Filter{}, true},
		{`email ~ "x"`, Filter{}, true},
		{`custom:plan = "pro"`, Filter{}, true},
	}
	for _, tt := range tests {
		got, err := ParseFilter(tt.in)
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("ParseFilter(%q) = %+v, %v; want %+v, err=%v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestCraftedValuesNeverWiden feeds hostile values through the handler's
// filter builder and this documented grammar: each must come back as one exact
// match on the whole value, never a prefix match or another attribute.
func TestCraftedValuesNeverWiden(t *testing.T) {
	for _, v := range []string{
		`a@example.com`, `"^="@example.com`, `x" ^= "`, `"`, `""`, `a"@b"`,
		`email = "x"`, `" or phone_number ^= "+`, `ü"ñ@例え.jp`,
	} {
		f, err := guard.Filter(guard.AttrEmail, v)
		if err != nil {
			continue // refused values fail closed; nothing is looked up
		}
		got, err := ParseFilter(f)
		if err != nil {
			t.Errorf("%q: built filter %q does not parse: %v", v, f, err)
			continue
		}
		if got != (Filter{Attr: "email", Value: v}) {
			t.Errorf("%q: filter %q reads as %+v", v, f, got)
		}
	}
}

func TestMatchIsCaseInsensitive(t *testing.T) {
	u := User{Username: "u", Attributes: []Attribute{{"email", "Jane@Example.com"}}}
	for _, f := range []Filter{{"email", false, "jane@example.com"}, {"email", true, "JANE@"}} {
		if !f.Match(u) {
			t.Errorf("%+v does not match %v", f, u.Attributes)
		}
	}
	if (Filter{"email", false, "jane@example.co"}).Match(u) {
		t.Error("an exact filter matched a longer value")
	}
}
