package conformance

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/steps"
)

// TestFixPerRule: each rule's failure, as the steps word it, gets one line
// that says what to change and links the example in the handler's language.
func TestFixPerRule(t *testing.T) {
	tests := []struct {
		lang       Language
		text       string
		fix, links string
	}{
		{NodeJS, "autoVerifyEmail is set although another user holds this email address verified: Cognito moves the alias to the new user and unverifies it for the other (rules §8)",
			"look the email address up first (AdminGetUser with the value as Username, or ListUsers with a filter) and leave autoVerifyEmail unset when another user holds it verified", "testdata/impls/guarded-node/index.mjs"},
		{Python, "autoVerifyPhone is set although another user holds this phone number verified: Cognito moves the alias to the new user and unverifies it for the other (rules §8)",
			"look the phone number up first", "testdata/impls/guarded-boto3/lambda_function.py"},
		{TypeScript, "the pool's lookups of this email address were throttled (TooManyRequestsException), and the handler verified it anyway; a guard that does not know who holds a value must not verify it (rules §12): autoVerifyEmail is set although another user holds this email address verified: Cognito moves the alias to the new user and unverifies it for the other (rules §8)",
			"when the lookup fails, is throttled or answers late, leave its flag unset or refuse the sign-up", "testdata/impls/typescript-amplify/handler.ts"},
		{Go, `a verify flag is set without autoConfirmUser; Cognito refuses that sign-up: "Phone or email cannot be auto verified, when user is not being auto confirmed." (rules §2)`,
			"set autoConfirmUser to true whenever you set autoVerifyEmail or autoVerifyPhone", "testdata/impls/typed/main.go"},
		{Go, "autoVerifyPhone is set, but the user gave no phone_number; Cognito refuses that sign-up (rules §3)",
			"set autoVerifyPhone only when request.userAttributes holds phone_number", "testdata/impls/typed/main.go"},
		{NodeJS, "autoVerifyEmail is set, but the email address has no @; Cognito would refuse the sign-up (rules §7)",
			"set autoVerifyEmail only for a well-formed address", "guarded-node"},
		{NodeJS, `autoVerifyPhone is set, but the phone number "555-0100" is not in E.164 form; Cognito would refuse the sign-up (rules §7)`,
			"only for a number in E.164 form", "guarded-node"},
		{Python, "the sign-up failed, which is not a refusal: timed out: Cognito would fail it (rules §4): Task timed out",
			"answer within 5 seconds and without crashing", "guarded-boto3"},
		{NodeJS, "the sign-up failed: Cognito cannot read or does not take the answer, so it fails the sign-up whatever the flags seem to say: autoConfirmUser is a string",
			"return the event Cognito sent, with response.autoConfirmUser, autoVerifyEmail and autoVerifyPhone as booleans", "guarded-node"},
		{NodeJS, "expected autoConfirmUser to be set, but it was not set", "set response.autoConfirmUser to true on every sign-up you accept", "guarded-node"},
		{NodeJS, "expected autoVerifyEmail to be set, but it was not set", "set autoVerifyEmail when the user gives a well-formed email address", "guarded-node"},
		{NodeJS, "expected autoVerifyPhone to be set, but it was not set", "set autoVerifyPhone when the user gives a phone number in E.164 form", "guarded-node"},
		{NodeJS, "expected autoVerifyEmail to stay unset, but it was set", "leave autoVerifyEmail unset for this event", "guarded-node"},
		{Python, "the sign-up was refused: PreSignUp failed with error Sign-up is open only to staff.", "if refusing it is your rule, claim without confirm", "tree/main/examples/allowlist"},
		{NodeJS, `the refusal names the other user: "taken by alice"`, "refuse without naming the user who holds the value", "guarded-node"},
		{Go, "the event came back changed from byte 12 on (a handler that decodes and re-encodes the event reorders, drops or adds members):", "return the event as it came, changing only response", "typed/main.go"},
		{"", "expected autoConfirmUser to be set, but it was not set", "set response.autoConfirmUser", "tree/main/testdata/impls"},
	}
	hit := map[int]bool{}
	for _, tt := range tests {
		a := Advice{Language: tt.lang, Ref: "main"}
		rule, line := a.fix(tt.text)
		if rule < 0 {
			t.Errorf("no fix for %q", tt.text)
			continue
		}
		hit[rule] = true
		if strings.Contains(line, "\n") || !strings.Contains(line, tt.fix) || !strings.Contains(line, Repository+"/") || !strings.Contains(line, tt.links) {
			t.Errorf("the fix for %q is\n  %s\nwant one line with %q and a link to %q", tt.text, line, tt.fix, tt.links)
		}
	}
	for i, r := range fixRules {
		if !hit[i] {
			t.Errorf("no test for the rule %q", r.match)
		}
	}
	if rule, _ := (Advice{}).fix("expected a lookup of exactly the email address, got none"); rule >= 0 {
		t.Error("a failure no rule covers got a fix")
	}
}

// TestExampleLinksExist: every path a fix or a suggestion links is in this
// repository, and the repository is the module's own.
func TestExampleLinksExist(t *testing.T) {
	paths := []string{allExamples, allowListSample}
	for _, p := range guardedExamples {
		paths = append(paths, p)
	}
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join("..", "..", p)); err != nil {
			t.Errorf("a fix links %s, which is not in the repository: %v", p, err)
		}
	}
	for _, l := range []Language{Go, NodeJS, TypeScript, Python} {
		if guardedExamples[l] == "" {
			t.Errorf("no example in %s", l)
		}
	}
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^module (\S+)$`).FindSubmatch(mod)
	if m == nil || "https://"+string(m[1]) != Repository {
		t.Errorf("Repository is %s; go.mod's module is %s", Repository, m)
	}
}

func TestSourceRef(t *testing.T) {
	checkout := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}}
	tests := []struct {
		name     string
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{"a release", "v1.2.3", nil, "v1.2.3"},
		{"a release, built from its tagged checkout", "v1.2.3", checkout, "v1.2.3"},
		{"a release candidate", "v1.3.0-rc.1", nil, "v1.3.0-rc.1"},
		{"go install at a commit", "v0.0.0-20261201120000-abcdef123456", nil, "abcdef123456"},
		{"go install after a tag", "v1.2.4-0.20261201120000-abcdef123456", nil, "abcdef123456"},
		{"a checkout's commit, maybe never pushed", "v0.0.0-20261201120000-abcdef123456", checkout, "main"},
		{"a modified checkout", "v1.2.3+dirty", checkout, "main"},
		{"a worktree", "(devel)", nil, "main"},
	}
	for _, tt := range tests {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/autoconfirm/autoconfirm", Version: tt.version}, Settings: tt.settings}
		if got := sourceRef(bi, true); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := sourceRef(nil, false); got != "main" {
		t.Errorf("no build information: %q, want main", got)
	}
}

func TestLanguageOf(t *testing.T) {
	tests := []struct {
		runtime string
		ts      bool
		want    Language
	}{
		{"nodejs20.x", false, NodeJS}, {"nodejs22.x", true, TypeScript}, {"python3.12", false, Python},
		{"provided.al2023", false, Go}, {"provided.al2", false, Go}, {"", false, ""}, {"java21", false, ""},
	}
	for _, tt := range tests {
		if got := LanguageOf(tt.runtime, tt.ts); got != tt.want {
			t.Errorf("LanguageOf(%q, %v) = %q, want %q", tt.runtime, tt.ts, got, tt.want)
		}
	}
}

// TestClaimSuggestion: failures that show the handler never sets a flag
// the claim promises are said once, with their count and the claim that
// fits, and are not listed one by one; the others are.
func TestClaimSuggestion(t *testing.T) {
	def := []string{"cognito", "confirm", "verify-email", "verify-phone", "alias-safe"}
	expect := func(flag string, n int) []FailedScenario {
		var out []FailedScenario
		for i := 0; i < n; i++ {
			out = append(out, FailedScenario{Scenario: flag + " scenario " + string(rune('a'+i)), Depths: []string{"pool", "lambda"},
				Step: "the step", Error: "expected " + flag + " to be set, but it was not set"})
		}
		return out
	}
	refusal := FailedScenario{Scenario: "refused", Depths: []string{"pool"}, Step: "the user is confirmed", Error: "the sign-up was refused: not staff"}
	alias := FailedScenario{Scenario: "alias", Depths: []string{"pool"}, Step: "the email address is left unverified or the sign-up is refused",
		Error: "autoVerifyEmail is set although another user holds this email address verified: Cognito moves the alias to the new user and unverifies it for the other (rules §8)"}
	set := func(c, e, p int) map[string]int {
		return map[string]int{steps.FlagConfirm: c, steps.FlagVerifyEmail: e, steps.FlagVerifyPhone: p}
	}
	tests := []struct {
		name     string
		claimed  []string
		flags    map[string]int
		failures []FailedScenario
		claim    string // the suggestion's claim, "" for none
		count    int    // failures said in it
		listed   int
	}{
		{"email only", def, set(20, 12, 0), append(expect("autoVerifyPhone", 3), alias), "cognito,confirm,verify-email,alias-safe", 3, 1},
		{"phone only", def, set(20, 0, 5), expect("autoVerifyEmail", 6), "cognito,confirm,verify-phone,alias-safe", 6, 0},
		{"confirm only", def, set(20, 0, 0), append(expect("autoVerifyEmail", 6), expect("autoVerifyPhone", 3)...), "cognito,confirm,alias-safe", 9, 0},
		{"never confirms", def, set(0, 0, 0), append(expect("autoConfirmUser", 5), expect("autoVerifyEmail", 6)...), "cognito,alias-safe", 11, 0},
		{"an allow-list", def, set(14, 0, 0), append(expect("autoVerifyEmail", 6), refusal), "cognito,alias-safe", 7, 0},
		{"a claim with more in it", append(def, "defensive"), set(20, 12, 0), expect("autoVerifyPhone", 3), "cognito,confirm,verify-email,alias-safe,defensive", 3, 0},
		{"verifies phone numbers sometimes", def, set(20, 12, 2), expect("autoVerifyPhone", 3), "", 0, 3},
		{"a refusal alone is listed", def, set(20, 12, 7), []FailedScenario{refusal}, "", 0, 1},
		{"flags not counted", def, nil, expect("autoVerifyPhone", 3), "", 0, 3},
		{"verify-phone not claimed", []string{"cognito", "confirm"}, set(20, 12, 0), expect("autoVerifyPhone", 3), "", 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			PrintFailures(&out, tt.failures, Advice{Language: NodeJS, Ref: "main", Claimed: tt.claimed, FlagsSet: tt.flags})
			s := out.String()
			claims := regexp.MustCompile(`(?m)^  CLAIM: .*\((\d+) of the failed scenarios .*claim --profile (\S+)`).FindAllStringSubmatch(s, -1)
			switch {
			case tt.claim == "" && len(claims) > 0:
				t.Errorf("a claim is suggested:\n%s", s)
			case tt.claim != "" && len(claims) != 1:
				t.Errorf("%d suggestions, want 1:\n%s", len(claims), s)
			case tt.claim != "" && (claims[0][2] != tt.claim || claims[0][1] != strconv.Itoa(tt.count)):
				t.Errorf("suggested %s for %s failures, want %s for %d:\n%s", claims[0][2], claims[0][1], tt.claim, tt.count, s)
			}
			if n := strings.Count(s, "     error:   "); n != tt.listed {
				t.Errorf("%d failures listed one by one, want %d:\n%s", n, tt.listed, s)
			}
		})
	}
}

// phoneless verifies no phone number, whatever the handler said: an
// email-only handler.
type phoneless struct{ *targets.InProcess }

func (phoneless) Name() string { return "phoneless" }

func (p phoneless) Run(ctx context.Context, in *targets.Input) (*targets.Observation, error) {
	obs, err := p.InProcess.Run(ctx, in)
	if obs != nil && obs.PhoneVerified != nil {
		no := false
		obs.PhoneVerified = &no
	}
	return obs, err
}

// phoneOnlyless verifies no phone number for a user who gives only a
// phone number: a handler that verifies phone numbers, with a bug.
type phoneOnlyless struct{ *targets.InProcess }

func (phoneOnlyless) Name() string { return "phoneonlyless" }

func (p phoneOnlyless) Run(ctx context.Context, in *targets.Input) (*targets.Observation, error) {
	obs, err := p.InProcess.Run(ctx, in)
	if obs != nil && obs.PhoneVerified != nil && in.Fixture == "phone-only" {
		no := false
		obs.PhoneVerified = &no
	}
	return obs, err
}

// TestRunSuggestsTheClaim: a run of an email-only handler under the default
// claim says once which claim fits, and the failures of a handler that
// breaks a rule each get a fix.
func TestRunSuggestsTheClaim(t *testing.T) {
	run := func(target targets.Target, profiles []string) string {
		var out bytes.Buffer
		res := Run(context.Background(), Options{Target: target, Content: autoconfirm.Content(), Format: "progress", Tags: "@signup",
			Profiles: profiles, DefaultClaim: profiles != nil, Concurrency: 4, Output: &out, Errors: &out, NoColors: true, Language: NodeJS})
		if res.Status != ExitFailed {
			t.Fatalf("status %d, want %d:\n%s", res.Status, ExitFailed, out.String())
		}
		return out.String()
	}
	s := run(phoneless{targets.NewInProcess()}, DefaultProfiles(false))
	if n := strings.Count(s, "CLAIM: this handler never sets autoVerifyPhone"); n != 1 || !strings.Contains(s, "claim --profile cognito,confirm,verify-email,alias-safe") {
		t.Errorf("%d suggestions of the claim that fits, want 1:\n%s", n, s)
	}
	if strings.Contains(s, "expected autoVerifyPhone to be set") {
		t.Errorf("the failures the suggestion stands for are listed one by one:\n%s", s)
	}
	s = run(phoneOnlyless{targets.NewInProcess()}, DefaultProfiles(false))
	if strings.Contains(s, "CLAIM:") || !strings.Contains(s, "expected autoVerifyPhone to be set") {
		t.Errorf("a handler that verifies some phone numbers is told to claim less, or its failure is not listed:\n%s", s)
	}
	s = run(liar{targets.NewInProcess()}, nil)
	failures, fixes := strings.Count(s, "     error:   "), strings.Count(s, "     fix:     ")
	if failures == 0 || fixes != failures || !strings.Contains(s, Repository+"/blob/") {
		t.Errorf("%d failures, %d fixes:\n%s", failures, fixes, s)
	}
}

// TestDepthsCountFlags: the flags set are summed over the depths, and a
// depth that did not count them leaves the sum unknown, so no claim is
// suggested from a record that cannot show a flag was never set.
func TestDepthsCountFlags(t *testing.T) {
	write := func(dir, rec string) {
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, RunFile), []byte(rec), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	write(filepath.Join(dir, "pool"), `{"target":"pool","flags_set":{"autoConfirmUser":3,"autoVerifyEmail":2,"autoVerifyPhone":0}}`)
	write(filepath.Join(dir, "lambda"), `{"target":"lambda","flags_set":{"autoConfirmUser":4,"autoVerifyEmail":1,"autoVerifyPhone":0}}`)
	write(filepath.Join(dir, "old"), `{"target":"lambda"}`)
	d, err := ReadDepths("local", dir, "pool", "lambda")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.FlagsSet; got[steps.FlagConfirm] != 7 || got[steps.FlagVerifyEmail] != 3 || got[steps.FlagVerifyPhone] != 0 || len(got) != 3 {
		t.Errorf("flags set %v, want the sum of both depths", got)
	}
	for _, names := range [][]string{{"pool", "old"}, {"old", "pool"}} {
		if d, err := ReadDepths("local", dir, names...); err != nil || d.FlagsSet != nil {
			t.Errorf("%v: flags set %v (%v), want unknown", names, d.FlagsSet, err)
		}
	}
}

// TestFailuresShowHandlerTextInert: a handler's error text and a feature's
// words reach the terminal and the text report with their controls,
// bidirectional overrides and line separators shown as escapes (red team
// round 16).
func TestFailuresShowHandlerTextInert(t *testing.T) {
	f := FailedScenario{Scenario: "sign-up \u202eSSAP", Depths: []string{"lambda"}, Step: "the user is \u2028confirmed",
		Error: "the sign-up was refused: boom\n\u202elocal: PASS\u202c \x1b[2J\u2028ls", Elsewhere: []DepthFailure{{Depth: "pool", Step: "x\u2066", Error: "y\u2029"}}}
	var out bytes.Buffer
	PrintFailures(&out, []FailedScenario{f}, Advice{Language: Python, Ref: "main"})
	s := out.String()
	for _, raw := range []string{"\u202e", "\u202c", "\u2028", "\u2029", "\u2066", "\x1b"} {
		if strings.Contains(s, raw) {
			t.Errorf("%q is shown raw:\n%s", raw, s)
		}
	}
	for _, shown := range []string{`\u202elocal: PASS\u202c`, `sign-up \u202eSSAP`, `\x1b[2J\u2028ls`, "boom\n              "} {
		if !strings.Contains(s, shown) {
			t.Errorf("%q is not shown:\n%s", shown, s)
		}
	}
}

// TestFunctionErrorsShowTextInert: a function error's scenario and feature
// file name, which a team's own features choose, cannot start a line of
// their own (red team round 23: a file name with a newline forged a
// "local: PASS" line).
func TestFunctionErrorsShowTextInert(t *testing.T) {
	var out bytes.Buffer
	PrintErrors(&out, []ErroredScenario{{Label: LabelRefused, Depths: []string{"pool"}, Scenario: "x\nlocal: PASS in 1.0s",
		URI: "own-features/a\nlocal: PASS in 2.0s.feature", Where: "line 3\nlocal: PASS", Type: "Error", Message: "no", Why: "w\nlocal: PASS"}})
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "local: PASS") {
			t.Errorf("a line of its own: %q in\n%s", line, out.String())
		}
	}
}
