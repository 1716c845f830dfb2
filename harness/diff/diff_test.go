package diff

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/presignup"
)

// mutant is autoconfirm's handler with one decision changed after the fact.
type mutant struct {
	*targets.InProcess
	change func(in *targets.Input, obs *targets.Observation)
}

func (m mutant) Run(ctx context.Context, in *targets.Input) (*targets.Observation, error) {
	obs, err := m.InProcess.Run(ctx, in)
	if err == nil && obs != nil {
		m.change(in, obs)
	}
	return obs, err
}

var yes = true

// noGuard verifies a valid email address whoever holds it.
func noGuard(in *targets.Input, obs *targets.Observation) {
	if !obs.Refused && len(in.Holders) > 0 && obs.EmailVerified != nil && !*obs.EmailVerified && presignup.PlausibleEmail(emailOf(in)) {
		obs.EmailVerified = &yes
	}
}

// loosePhone verifies any phone number given, valid or not.
func loosePhone(in *targets.Input, obs *targets.Observation) {
	var ev struct {
		TriggerSource string `json:"triggerSource"`
		Request       struct {
			UserAttributes map[string]string `json:"userAttributes"`
		} `json:"request"`
	}
	json.Unmarshal(in.Event, &ev)
	if v, ok := ev.Request.UserAttributes["phone_number"]; ok && v != "" && !obs.Refused && ev.TriggerSource == presignup.SourceSignUp && len(in.Holders) == 0 {
		obs.PhoneVerified = &yes
	}
}

func emailOf(in *targets.Input) string {
	var ev struct {
		Request struct {
			UserAttributes map[string]string `json:"userAttributes"`
		} `json:"request"`
	}
	json.Unmarshal(in.Event, &ev)
	return ev.Request.UserAttributes["email"]
}

func cases(t *testing.T, n int) []Case {
	t.Helper()
	fixtures, err := Fixtures(autoconfirm.Content(), "fixtures")
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("%d fixtures: %v", len(fixtures), err)
	}
	return append(fixtures, Generate(7, n)...)
}

// TestSameHandlerNoDifference: a handler against itself differs nowhere.
func TestSameHandlerNoDifference(t *testing.T) {
	res, err := Run(context.Background(), Options{A: Side{Name: "a", Target: targets.NewInProcess()}, B: Side{Name: "b", Target: targets.NewInProcess()}, Cases: cases(t, 300)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Differences) != 0 {
		var out bytes.Buffer
		res.Print(&out)
		t.Errorf("a handler differs from itself:\n%s", out.String())
	}
}

// TestMutantsFoundAndShrunk: each mutant differs in exactly its own kind,
// and the example is smaller than the first event and still shows it.
func TestMutantsFoundAndShrunk(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*targets.Input, *targets.Observation)
		kind   string
		value  string
	}{
		{"the guard removed", noGuard, "autoVerifyEmail", "email valid, held verified by another user"},
		{"phone checks loosened", loosePhone, "autoVerifyPhone", "phone_number invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run(context.Background(), Options{A: Side{Name: "reference", Target: targets.NewInProcess()},
				B: Side{Name: tt.name, Target: mutant{targets.NewInProcess(), tt.change}}, Cases: cases(t, 300)})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			res.Print(&out)
			var found bool
			for _, d := range res.Differences {
				if d.Kind != tt.kind {
					t.Errorf("a difference of another kind: %s %s\n%s", d.Kind, d.Value, out.String())
					continue
				}
				if d.Value == tt.value {
					found = true
				}
				if len(d.ExampleJSON) >= d.ShrunkFrom && d.ShrinkSteps > 1 {
					t.Errorf("%s: the example was not shrunk (%d bytes from %d)", d.Value, len(d.ExampleJSON), d.ShrunkFrom)
				}
				// The example, sent again, still shows the difference.
				a, b, err := (&runner{o: Options{A: res.A, B: res.B}}).both(context.Background(), d.Example)
				if err != nil {
					t.Fatal(err)
				}
				shown := false
				for _, again := range compare(d.Example, a, b) {
					shown = shown || again.key() == d.key()
				}
				if !shown {
					t.Errorf("the shrunk example no longer shows %s %s: %s", d.Kind, d.Value, d.ExampleJSON)
				}
			}
			if !found {
				t.Errorf("no %s difference for %q:\n%s", tt.kind, tt.value, out.String())
			}
			dir := t.TempDir()
			if err := res.Write(dir); err != nil {
				t.Fatal(err)
			}
			var rep struct {
				Differences []struct{ Kind, Example string }
			}
			b, _ := os.ReadFile(filepath.Join(dir, JSONFile))
			if err := json.Unmarshal(b, &rep); err != nil || len(rep.Differences) != len(res.Differences) {
				t.Errorf("diff.json holds %d differences (%v), want %d", len(rep.Differences), err, len(res.Differences))
			}
			page, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
			if n := strings.Count(string(page), `class="difference"`); n != len(res.Differences) {
				t.Errorf("diff.html shows %d differences, want %d", n, len(res.Differences))
			}
		})
	}
}

// TestIgnore: an ignored kind is counted, not reported; an unknown one is an
// error that lists the kinds.
func TestIgnore(t *testing.T) {
	o := Options{A: Side{Name: "a", Target: targets.NewInProcess()}, B: Side{Name: "b", Target: mutant{targets.NewInProcess(), loosePhone}},
		Cases: cases(t, 100), Ignore: []string{"autoVerifyPhone"}}
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Differences) != 0 || res.Ignored["autoVerifyPhone"] == 0 {
		t.Errorf("%d differences, %v ignored", len(res.Differences), res.Ignored)
	}
	o.Ignore = []string{"texts"}
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "refusal-text") {
		t.Errorf("--ignore texts: %v", err)
	}
}

// TestGenerateCovers: the generated events cover each source, each class of
// value, each holding, and the extras; the same seed gives the same events.
func TestGenerateCovers(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Generate(1, 1000) {
		attrs := c.Event.Request.UserAttributes
		seen[c.Event.TriggerSource] = true
		seen["email "+class(attrs, "email")] = true
		seen["phone "+class(attrs, "phone_number")] = true
		seen["email "+string(c.Email)] = true
		seen["phone "+string(c.Phone)] = true
		if len(c.Event.Request.ClientMetadata) > 0 {
			seen["clientMetadata"] = true
		}
		if len(c.Event.Request.ValidationData) > 0 {
			seen["validationData"] = true
		}
		if _, ok := attrs["custom:tier"]; ok {
			seen["custom attribute"] = true
		}
		if e := attrs["email"]; strings.ContainsAny(e, "äüï") || strings.Contains(e, "+") || e != strings.ToLower(e) {
			seen["odd email"] = true
		}
	}
	for _, want := range []string{presignup.SourceSignUp, presignup.SourceAdminCreateUser, presignup.SourceExternalProvider,
		"email absent", "email empty", "email invalid", "email valid", "phone absent", "phone empty", "phone invalid", "phone valid",
		"email " + string(Verified), "email " + string(Unverified), "phone " + string(Verified), "phone " + string(Unverified),
		"clientMetadata", "validationData", "custom attribute", "odd email"} {
		if !seen[want] {
			t.Errorf("no generated event has %s", want)
		}
	}
	a, b := Generate(3, 50), Generate(3, 50)
	for i := range a {
		if string(a[i].JSON()) != string(b[i].JSON()) || a[i].Email != b[i].Email {
			t.Fatalf("seed 3 gave two different event %d", i)
		}
	}
}
