package conformance

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// TestEveryScenarioHasOneProfile: each built-in scenario judges exactly one
// built-in profile, so that claiming a profile is never ambiguous.
func TestEveryScenarioHasOneProfile(t *testing.T) {
	ts := godog.TestSuite{Options: &godog.Options{Paths: []string{"features"}, FS: autoconfirm.Content()}}
	features, err := ts.RetrieveFeatures()
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, f := range features {
		for _, p := range f.Pickles {
			var profiles []string
			for _, tag := range p.Tags {
				for _, b := range BuiltinProfiles {
					if tag.Name == "@"+b {
						profiles = append(profiles, b)
					}
				}
			}
			if len(profiles) != 1 {
				t.Errorf("%s: %q carries the profiles %v; it must carry exactly one of %v", f.Uri, p.Name, profiles, BuiltinProfiles)
				continue
			}
			n[profiles[0]]++
		}
	}
	for _, b := range BuiltinProfiles {
		if n[b] == 0 {
			t.Errorf("no scenario judges the profile %s", b)
		}
	}
	t.Logf("scenarios per profile: %v", n)
}

// handlerStyle is a target that answers as another kind of handler would: it
// runs autoconfirm in process, then rewrites the answer.
type handlerStyle struct {
	*targets.InProcess
	rewrite func(event []byte, obs *targets.Observation)
}

func (h handlerStyle) Run(ctx context.Context, in *targets.Input) (*targets.Observation, error) {
	obs, err := h.InProcess.Run(ctx, in)
	if err != nil || obs == nil {
		return obs, err
	}
	h.rewrite(in.Event, obs)
	if !obs.Refused {
		r := gjson.GetBytes(obs.Response, "response")
		flag := func(name string) *bool { v := r.Get(name).Type == gjson.True; return &v }
		obs.Confirmed, obs.EmailVerified, obs.PhoneVerified = flag("autoConfirmUser"), flag("autoVerifyEmail"), flag("autoVerifyPhone")
	}
	return obs, nil
}

func set(obs *targets.Observation, path string, v any) {
	obs.Response, _ = sjson.SetBytes(obs.Response, path, v)
}

// TestProfilesJudgeFairly runs handler styles met in the wild through the
// profiles: each must fail exactly the profiles it breaks, and a handler that
// differs from autoconfirm only where Cognito does not look must pass
// cognito, auto-confirm and alias-safe. A handler that verifies any key that
// is present is correct for every event Cognito sends: it fails only the
// defensive profile, and alias safety.
func TestProfilesJudgeFairly(t *testing.T) {
	own := func([]byte, *targets.Observation) {}
	styles := []struct {
		name    string
		rewrite func(event []byte, obs *targets.Observation)
		fails   []string // the profiles it must fail; it passes the others
	}{
		{"autoconfirm itself", own, nil},
		{"re-encodes the event, as aws-lambda-go's typed event does", func(event []byte, obs *targets.Observation) {
			if !obs.Refused {
				set(obs, "request.clientMetadata", nil)
			}
		}, []string{ProfileAutoconfirm}},
		{"verifies any key that is present", func(event []byte, obs *targets.Observation) {
			if obs.Refused {
				return
			}
			a := gjson.GetBytes(event, "request.userAttributes")
			set(obs, "response.autoVerifyEmail", a.Get("email").Exists())
			set(obs, "response.autoVerifyPhone", a.Get("phone_number").Exists())
		}, []string{ProfileAliasSafe, ProfileDefensive, ProfileAutoconfirm}},
		{"verifies email addresses only, for a pool without phone numbers", func(event []byte, obs *targets.Observation) {
			if !obs.Refused {
				set(obs, "response.autoVerifyPhone", false)
			}
		}, []string{ProfileVerifyPhone, ProfileDefensive, ProfileAutoconfirm}},
		{"times out on every sign-up", func(event []byte, obs *targets.Observation) {
			obs.Refused, obs.Response = true, nil
			obs.Message = "RequestId: 1 Error: Task timed out after 3.00 seconds"
			obs.Failure = "timed out: Cognito fails the sign-up"
		}, []string{ProfileCognito, ProfileConfirm, ProfileVerifyEmail, ProfileVerifyPhone, ProfileAliasSafe, ProfileDefensive, ProfileAutoconfirm}},
		{"refuses every sign-up: no profile passes vacuously", func(event []byte, obs *targets.Observation) {
			obs.Refused, obs.Message, obs.Response = true, "closed for sign-ups", nil
		}, BuiltinProfiles},
		{"confirms only", func(event []byte, obs *targets.Observation) {
			if !obs.Refused {
				set(obs, "response.autoVerifyEmail", false)
				set(obs, "response.autoVerifyPhone", false)
			}
		}, []string{ProfileVerifyEmail, ProfileVerifyPhone, ProfileDefensive, ProfileAutoconfirm}},
		{"verifies without confirming", func(event []byte, obs *targets.Observation) {
			if !obs.Refused && gjson.GetBytes(obs.Response, "response.autoVerifyEmail").Bool() {
				set(obs, "response.autoConfirmUser", false)
			}
		}, []string{ProfileCognito, ProfileConfirm, ProfileVerifyEmail, ProfileVerifyPhone, ProfileDefensive, ProfileAutoconfirm}},
		{"answers flags as strings", func(event []byte, obs *targets.Observation) {
			if !obs.Refused {
				set(obs, "response.autoConfirmUser", "true")
			}
		}, []string{ProfileCognito, ProfileConfirm, ProfileVerifyEmail, ProfileVerifyPhone, ProfileDefensive, ProfileAutoconfirm}},
		{"refuses administrators, as an allow-list may: Cognito passes the refusal on", func(event []byte, obs *targets.Observation) {
			if gjson.GetBytes(event, "triggerSource").Str == "PreSignUp_AdminCreateUser" {
				obs.Refused, obs.Message, obs.Response = true, "no admins", nil
			}
		}, []string{ProfileAutoconfirm}},
		{"differs only where Cognito does not look", func(event []byte, obs *targets.Observation) {
			switch gjson.GetBytes(event, "triggerSource").Str {
			case "PreSignUp_AdminCreateUser":
				set(obs, "response.autoConfirmUser", true)
				set(obs, "response.autoVerifyEmail", true)
			case "PreSignUp_ExternalProvider":
				if gjson.GetBytes(event, "request.userAttributes.email").Exists() {
					set(obs, "response.autoVerifyEmail", true)
				}
			case "PreSignUp_SignUp":
				if !obs.Refused {
					set(obs, "request.userAttributes.rewritten", "yes")
				}
			default:
				obs.Refused, obs.Message = false, ""
				obs.Response = append([]byte(nil), event...)
			}
		}, []string{ProfileAutoconfirm}},
	}
	for _, s := range styles {
		t.Run(s.name, func(t *testing.T) {
			for _, p := range BuiltinProfiles {
				var out bytes.Buffer
				res := Run(context.Background(), Options{Target: handlerStyle{targets.NewInProcess(), s.rewrite}, Content: autoconfirm.Content(),
					Format: "progress", Profiles: []string{p}, Concurrency: 4, Output: &out, Errors: &out, NoColors: true})
				want := ExitPass
				for _, f := range s.fails {
					if f == p {
						want = ExitFailed
					}
				}
				if res.Status != want {
					t.Errorf("profile %s: status %d, want %d\n%s", p, res.Status, want, tail(out.String()))
				}
			}
		})
	}
}

func tail(s string) string {
	if i := strings.Index(s, "FAILED:"); i >= 0 {
		return s[i:]
	}
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// TestNotClaimed: scenarios of profiles not asked for are counted and said,
// apart from those the target cannot observe, and an unknown profile is a
// usage error.
func TestNotClaimed(t *testing.T) {
	var out, errs bytes.Buffer
	res := Run(context.Background(), Options{Target: targets.NewInProcess(), Content: autoconfirm.Content(), Format: "progress", Tags: "@sources",
		Profiles: []string{ProfileCognito}, Output: &out, Errors: &errs, NoColors: true})
	if res.Status != ExitUsage || !strings.Contains(errs.String(), "selects no scenario of the profiles cognito") {
		t.Errorf("@sources has no cognito scenario: status %d, %s", res.Status, errs.String())
	}
	out.Reset()
	dir := t.TempDir()
	res = Run(context.Background(), Options{Target: targets.NewInProcess(), Content: autoconfirm.Content(), Format: "progress", Tags: "@alias",
		Profiles: []string{ProfileAliasSafe}, Output: &out, Errors: &out, NoColors: true, ReportDir: dir})
	if res.Status != ExitPass || res.NotClaimed == 0 || !strings.Contains(out.String(), "NOT CLAIMED: ") || !strings.Contains(out.String(), "(autoconfirm: ") {
		t.Errorf("status %d, %d not claimed:\n%s", res.Status, res.NotClaimed, out.String())
	}
	html, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	if want := fmt.Sprintf("profiles judged: alias-safe; not claimed, so not run: autoconfirm %d", res.NotClaimed); !strings.Contains(string(html), want) {
		t.Errorf("the report does not say %q", want)
	}
	if !strings.Contains(string(html), `<table id="verdict-table">`) || !strings.Contains(string(html), `<td>alias-safe</td><td class="status pass">pass`) {
		t.Error("the report has no verdict table with a row for alias-safe")
	}
	run, _ := os.ReadFile(filepath.Join(dir, RunFile))
	if !strings.Contains(string(run), `"profile": "alias-safe"`) || !strings.Contains(string(run), `"verdict": "pass"`) {
		t.Errorf("run.json has no verdict for alias-safe:\n%s", run)
	}
	errs.Reset()
	res = Run(context.Background(), Options{Target: targets.NewInProcess(), Content: autoconfirm.Content(), Profiles: []string{"alias-sfae"}, Output: &out, Errors: &errs})
	if res.Status != ExitUsage || !strings.Contains(errs.String(), `no scenario belongs to the profile "alias-sfae"`) {
		t.Errorf("a misspelt profile: status %d, %s", res.Status, errs.String())
	}
	for _, bad := range []string{"", "cognito,,alias-safe", "a b"} {
		if _, err := ParseProfiles(bad); err == nil {
			t.Errorf("ParseProfiles(%q) took it", bad)
		}
	}
	if p, err := ParseProfiles("all"); err != nil || len(p) != len(BuiltinProfiles) {
		t.Errorf("all = %v, %v", p, err)
	}
	if p, err := ParseProfiles("cognito,auto-confirm,verify-email,alias-safe"); err != nil || strings.Join(p, ",") != "cognito,confirm,verify-email,verify-phone,alias-safe" {
		t.Errorf("auto-confirm does not stand for its three profiles: %v, %v", p, err)
	}
}

// TestUndefinedStepIsAUsageError: a step that matches no phrase is the
// feature's mistake: exit 2, naming the closest phrase, before any scenario.
func TestUndefinedStepIsAUsageError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "typo.feature"), []byte(`@mine
Feature: A typo
  Scenario: A user signs up
    Given a new user signs up with the event "email-only"
    When the sign-up reaches the pre sign-up trigger
    Then the usr is confirmed
`), 0o644)
	var out, errs bytes.Buffer
	res := Run(context.Background(), Options{Target: targets.NewInProcess(), Content: autoconfirm.Content(), Features: dir, Profiles: []string{"mine"},
		Format: "progress", Output: &out, Errors: &errs, NoColors: true})
	if res.Status != ExitUsage || !strings.Contains(errs.String(), `the step "the usr is confirmed" matches no phrase; the closest is "^the user (is|is not) confirmed$"`) {
		t.Errorf("status %d:\n%s%s", res.Status, errs.String(), out.String())
	}
	if strings.Contains(out.String(), "func ") {
		t.Errorf("Go snippets were printed to someone who writes Gherkin:\n%s", out.String())
	}
}
