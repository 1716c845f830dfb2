package diff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/autoconfirm/autoconfirm/presignup"
)

// Category is how much harm a difference can do; Categories lists them
// most harmful first, and a report shows them in that order.
type Category string

// The categories, most harmful first.
const (
	// BreaksProfile: one side's answer breaks cognito or alias-safe, the
	// profiles every claim starts from: it lets a sign-up take over
	// another user's alias (rules §8), or it is an answer Cognito refuses
	// or cannot take (rules §1–§4).
	BreaksProfile Category = "breaks-profile"
	// DecisionChange: both answers are ones Cognito takes, on a sign-up
	// Cognito sends; the sides decide it differently.
	DecisionChange Category = "decision-change"
	// TestOnly: an event Cognito never sends, since it refuses an empty or
	// invalid email address or phone number before the trigger runs
	// (rules §7): only a console test or a hand-made fixture sends it.
	TestOnly Category = "test-only"
)

// Categories are the categories in the order a report shows them.
var Categories = []Category{BreaksProfile, DecisionChange, TestOnly}

// Rank is the category's place in Categories, from 1.
func (c Category) Rank() int { return slices.Index(Categories, c) + 1 }

// Heading is the category's one-line heading in a report.
func (c Category) Heading() string {
	switch c {
	case BreaksProfile:
		return "breaks a profile either side claims: an alias takeover (rules §8), or an answer Cognito refuses or cannot take (rules §1–§4)"
	case DecisionChange:
		return "a changed decision on sign-ups Cognito sends: both answers are ones Cognito takes"
	case TestOnly:
		return "test-only: events Cognito never sends, with an empty or invalid email address or phone number it refuses before the trigger runs (rules §7)"
	}
	return string(c)
}

// neverSent says why Cognito never sends c, or "" when it may. Cognito
// validates the formats of SignUp's and AdminCreateUser's values first
// (rules §7); a federated user's mapped attributes are not known to be
// validated, so an ExternalProvider event may carry anything.
func neverSent(c Case) string {
	if c.Event.TriggerSource == presignup.SourceExternalProvider {
		return ""
	}
	attrs := c.Event.Request.UserAttributes
	var why []string
	for _, attr := range []string{presignup.AttrEmail, presignup.AttrPhone} {
		if k := class(attrs, attr); k == "empty" || k == "invalid" {
			why = append(why, "its "+attr+" is "+k)
		}
	}
	if len(why) == 0 {
		return ""
	}
	return "Cognito never sends it: " + strings.Join(why, " and ") + ", which Cognito refuses before the trigger runs (rules §7)"
}

// harm says how a side's decision on c breaks a profile, or "".
func harm(c Case, d Decision) string {
	switch {
	case d.Outcome == Failed && strings.HasPrefix(d.Message, "Cognito cannot read"):
		return "gives an answer Cognito cannot read, which fails the sign-up (cognito, rules §1)"
	case d.Outcome == Failed:
		return "fails the sign-up: a crash or no answer in time is not a refusal (cognito, rules §4)"
	case d.Outcome == Refused && strings.HasPrefix(d.Message, "by Cognito:"):
		return "gives an answer Cognito refuses, " + strings.TrimPrefix(d.Message, "by Cognito: ") + " (cognito)"
	case d.Outcome != Accepted || c.Event.TriggerSource != presignup.SourceSignUp:
		// Cognito ignores the flags on AdminCreateUser, and a federated
		// user's attributes are the provider's: no alias moves (rules §6).
		return ""
	}
	var taken []string
	if d.Email && c.Email == Verified {
		taken = append(taken, "an email address")
	}
	if d.Phone && c.Phone == Verified {
		taken = append(taken, "a phone number")
	}
	if len(taken) == 0 {
		return ""
	}
	return "verifies " + strings.Join(taken, " and ") + " another user holds verified, so Cognito moves the alias to this sign-up: an alias takeover (alias-safe, rules §8)"
}

// categorise ranks the difference between a and b on c, says why, and
// whether a side takes over an alias.
func categorise(c Case, a, b Decision) (cat Category, why string, takeover bool) {
	if why := neverSent(c); why != "" {
		return TestOnly, why, false
	}
	var whys []string
	for _, s := range []struct {
		name string
		d    Decision
	}{{"A", a}, {"B", b}} {
		if h := harm(c, s.d); h != "" {
			whys = append(whys, fmt.Sprintf("%s %s", s.name, h))
			takeover = takeover || strings.Contains(h, "alias takeover")
		}
	}
	if len(whys) > 0 {
		return BreaksProfile, strings.Join(whys, "; "), takeover
	}
	return DecisionChange, "", false
}

// rank orders differences by category, alias takeovers first within
// theirs, then by kind; otherwise it keeps the order they were found in.
func rank(ds []Difference) {
	slices.SortStableFunc(ds, func(x, y Difference) int {
		if r := x.Category.Rank() - y.Category.Rank(); r != 0 {
			return r
		}
		if x.Takeover != y.Takeover {
			if x.Takeover {
				return -1
			}
			return 1
		}
		return slices.Index(Kinds, x.Kind) - slices.Index(Kinds, y.Kind)
	})
}
