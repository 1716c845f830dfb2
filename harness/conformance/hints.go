package conformance

import (
	"fmt"
	"io"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/autoconfirm/autoconfirm/internal/termtext"
	"github.com/autoconfirm/autoconfirm/steps"
)

// Repository is where the example handlers that the failures link to live:
// the module's own repository (go.mod's module path; a test keeps them equal).
const Repository = "https://github.com/autoconfirm/autoconfirm"

// Language is what a handler is written in, as its runtime tells.
type Language string

// The languages the examples come in; "" is a handler whose runtime the
// run does not know (a deployed function judged through a pool).
const (
	Go         Language = "Go"
	NodeJS     Language = "Node.js"
	TypeScript Language = "TypeScript"
	Python     Language = "Python"
)

// LanguageOf names a handler's language from its Lambda runtime identifier;
// typescript says the handler's module is a TypeScript file.
func LanguageOf(runtime string, typescript bool) Language {
	switch {
	case strings.HasPrefix(runtime, "nodejs") && typescript:
		return TypeScript
	case strings.HasPrefix(runtime, "nodejs"):
		return NodeJS
	case strings.HasPrefix(runtime, "python"):
		return Python
	case strings.HasPrefix(runtime, "provided"), strings.HasPrefix(runtime, "go1"):
		return Go
	}
	return ""
}

// guardedExamples are handlers, one per language, that keep every rule of
// the default claim: they confirm, verify only well-formed values the user
// gave, and look each value up first, leaving it unverified when another
// user holds it verified (the gate passes each of them on that claim).
var guardedExamples = map[Language]string{
	Go:         "testdata/impls/typed/main.go",
	NodeJS:     "testdata/impls/guarded-node/index.mjs",
	TypeScript: "testdata/impls/typescript-amplify/handler.ts",
	Python:     "testdata/impls/guarded-boto3/lambda_function.py",
}

// The examples that are not one per language: every one of them, for a
// handler whose language is unknown, and a team's allow-list with its own
// feature.
const (
	allExamples     = "testdata/impls"
	allowListSample = "examples/allowlist"
)

// SourceRef is the repository's ref that this runner was built from, for
// links: its release tag, the commit of a module version that `go install`
// fetched, or main for a build from a checkout, whose commit may exist only
// on that machine.
func SourceRef() string {
	bi, ok := debug.ReadBuildInfo()
	return sourceRef(bi, ok)
}

var (
	releaseVersion = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$`)
	pseudoVersion  = regexp.MustCompile(`\d{14}-([0-9a-f]{12})$`)
)

func sourceRef(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "main"
	}
	v := bi.Main.Version
	fromCheckout := slices.ContainsFunc(bi.Settings, func(s debug.BuildSetting) bool { return s.Key == "vcs.revision" })
	switch m := pseudoVersion.FindStringSubmatch(v); {
	case m != nil && !fromCheckout:
		return m[1]
	case m == nil && releaseVersion.MatchString(v):
		return v
	}
	return "main"
}

// Advice is what a failure list needs to say how to fix each failure, and
// which claim fits a handler that never does what the claim promises.
type Advice struct {
	// Language picks the examples linked; Ref is the repository's ref they
	// are linked at (SourceRef).
	Language Language
	Ref      string
	// Claimed are the profiles the run judged, in order.
	Claimed []string
	// FlagsSet counts, per response flag, the accepted answers that set it
	// at every depth; nil when the run did not count them.
	FlagsSet map[string]int
}

// link is the address of path in the repository at a.Ref.
func (a Advice) link(path string) string {
	ref := a.Ref
	if ref == "" {
		ref = "main"
	}
	kind := "blob"
	if !strings.Contains(path[strings.LastIndex(path, "/")+1:], ".") {
		kind = "tree"
	}
	return fmt.Sprintf("%s/%s/%s/%s", Repository, kind, ref, path)
}

// example is the handler to read for a fix, in the reader's language.
func (a Advice) example(which string) string {
	if which == allowListSample {
		return "example (Python, with its own feature): " + a.link(allowListSample)
	}
	if p, ok := guardedExamples[a.Language]; ok {
		return fmt.Sprintf("example (%s): %s", a.Language, a.link(p))
	}
	return "examples in Go, Node.js, TypeScript and Python: " + a.link(allExamples)
}

// fixRule is one rule's fix: a failure whose error matches says, in one
// line, what to change (template, expanded with the match's groups).
type fixRule struct {
	match    *regexp.Regexp
	template string
	example  string
}

// fixRules, first match wins: §12's message quotes §8's, so it comes first.
var fixRules = []fixRule{
	{regexp.MustCompile(`lookups of this (email address|phone number) .*must not verify it \(rules §12\)`),
		"look the $1 up before verifying it, and when the lookup fails, is throttled or answers late, leave its flag unset or refuse the sign-up: never verify a value whose holder you do not know", ""},
	{regexp.MustCompile(`(autoVerify\w+) is set although another user holds this (email address|phone number) verified`),
		"look the $2 up first (AdminGetUser with the value as Username, or ListUsers with a filter) and leave $1 unset when another user holds it verified", ""},
	{regexp.MustCompile(`a verify flag is set without autoConfirmUser`),
		"set autoConfirmUser to true whenever you set autoVerifyEmail or autoVerifyPhone, or set neither verify flag", ""},
	{regexp.MustCompile(`(autoVerify\w+) is set, but the user gave no (\w+)`),
		"set $1 only when request.userAttributes holds $2", ""},
	{regexp.MustCompile(`autoVerifyEmail is set, but the email address .*\(rules §7\)`),
		"set autoVerifyEmail only for a well-formed address (one @, a dotted domain, no spaces) and leave it unset for any other value", ""},
	{regexp.MustCompile(`autoVerifyPhone is set, but the phone number .* is not in E\.164 form`),
		"set autoVerifyPhone only for a number in E.164 form (+, a first digit from 1 to 9, at most 15 digits, as +14325551212) and leave it unset for any other value", ""},
	{regexp.MustCompile(`^the sign-up failed, which is not a refusal`),
		"answer within 5 seconds and without crashing; to refuse a sign-up, fail it with a message of your own (throw, raise, or return an error)", ""},
	{regexp.MustCompile(`Cognito cannot read or does not take the answer`),
		"return the event Cognito sent, with response.autoConfirmUser, autoVerifyEmail and autoVerifyPhone as booleans", ""},
	{regexp.MustCompile(`^expected autoConfirmUser to be set, but it was not set`),
		"set response.autoConfirmUser to true on every sign-up you accept", ""},
	{regexp.MustCompile(`^expected autoVerifyEmail to be set, but it was not set`),
		"set autoVerifyEmail when the user gives a well-formed email address that no other user holds verified", ""},
	{regexp.MustCompile(`^expected autoVerifyPhone to be set, but it was not set`),
		"set autoVerifyPhone when the user gives a phone number in E.164 form that no other user holds verified", ""},
	{regexp.MustCompile(`^expected (\w+) to stay unset, but it was set`),
		"leave $1 unset for this event: verify only a well-formed value the user gave that no other user holds verified", ""},
	{regexp.MustCompile(`^the sign-up was refused: `),
		"accept this ordinary sign-up (return the event); if refusing it is your rule, claim without confirm and judge the rule with a feature of your own (--features)", allowListSample},
	{regexp.MustCompile(`^the refusal (names the other user|quotes the other user's)`),
		"refuse without naming the user who holds the value or quoting their attributes", ""},
	{regexp.MustCompile(`^the event came back changed`),
		"return the event as it came, changing only response: decode it into a generic object, not a type that drops or reorders members", ""},
}

// fix is the line that says how to fix a failure, and its rule's index
// (-1, "" when no rule's fix applies).
func (a Advice) fix(errText string) (int, string) {
	for i, r := range fixRules {
		m := r.match.FindStringSubmatchIndex(errText)
		if m == nil {
			continue
		}
		line := string(r.match.ExpandString(nil, r.template, errText, m))
		return i, line + "; " + a.example(r.example)
	}
	return -1, ""
}

// promises are the profiles whose promise is that every answer sets a flag,
// with the flag.
var promises = []struct{ profile, flag string }{
	{ProfileConfirm, steps.FlagConfirm},
	{ProfileVerifyEmail, steps.FlagVerifyEmail},
	{ProfileVerifyPhone, steps.FlagVerifyPhone},
}

// neverSet is a claimed promise the handler never keeps: the run's
// failures expected its flag set, and no answer at any depth set it.
type neverSet struct {
	profile, flag string
	failures      int
}

// neverKept finds the claimed promises the handler never keeps, and splits
// the failures into those they explain and the rest. A refused sign-up
// that a promise's scenario expected confirmed or verified counts as kept
// apart (refused), so an allow-list is told once which claim fits.
func (a Advice) neverKept(failures []FailedScenario) (never []neverSet, refused int, rest []FailedScenario) {
	if a.FlagsSet == nil {
		return nil, 0, failures
	}
	counts := map[string]int{}
	for _, f := range failures {
		counts[expectedFlag(f.Error)]++
	}
	for _, p := range promises {
		if n, ok := a.FlagsSet[p.flag]; ok && n == 0 && counts[p.flag] > 0 && slices.Contains(a.Claimed, p.profile) {
			never = append(never, neverSet{p.profile, p.flag, counts[p.flag]})
		}
	}
	for _, f := range failures {
		flag := expectedFlag(f.Error)
		switch {
		case flag != "" && slices.ContainsFunc(never, func(n neverSet) bool { return n.flag == flag }):
		case strings.HasPrefix(f.Error, "the sign-up was refused: ") && len(never) > 0 && promiseStep(f.Step):
			refused++
		default:
			rest = append(rest, f)
		}
	}
	return never, refused, rest
}

// expectedSet reads the flag a failure expected set and found unset.
var expectedSet = regexp.MustCompile(`^expected (\w+) to be set, but it was not set`)

func expectedFlag(errText string) string {
	if m := expectedSet.FindStringSubmatch(errText); m != nil {
		return m[1]
	}
	return ""
}

// promiseStep says whether a step is one of the promises' own: the user
// confirmed, a value verified.
func promiseStep(step string) bool {
	return step == "the user is confirmed" || step == "the email address is verified" || step == "the phone number is verified"
}

// suggestion is the one line that names the claim that fits a handler
// that never keeps the promises never: the claim without them.
func (a Advice) suggestion(never []neverSet, refused int) string {
	drop := map[string]bool{}
	var flags []string
	n := 0
	for _, s := range never {
		drop[s.profile] = true
		flags = append(flags, s.flag)
		n += s.failures
	}
	if refused > 0 {
		drop[ProfileConfirm] = true
		n += refused
	}
	if drop[ProfileConfirm] { // nothing is verified without a confirmation (rules §2)
		drop[ProfileVerifyEmail], drop[ProfileVerifyPhone] = true, true
	}
	var fits []string
	for _, p := range a.Claimed {
		if !drop[p] {
			fits = append(fits, p)
		}
	}
	what := "never sets " + strings.Join(flags, " or ")
	if len(flags) == 0 {
		what = "refuses ordinary sign-ups"
	} else if refused > 0 {
		what += fmt.Sprintf(", and refuses %d sign-up(s) it is expected to confirm", refused)
	}
	claim := "claim --profile " + strings.Join(fits, ",")
	if refused > 0 {
		claim += " and judge the refusals with a feature of your own (--features; examples/allowlist has one)"
	}
	return fmt.Sprintf("this handler %s (%d of the failed scenarios come to this, so they are not listed one by one): %s, %s",
		what, n, condition(drop, refused > 0), claim)
}

// condition says when the smaller claim is the right one: the handler
// leaves to Cognito what it never does.
func condition(drop map[string]bool, refuses bool) string {
	switch {
	case refuses:
		return "if it refuses on purpose (an allow-list, a waitlist) and leaves verification to a code"
	case drop[ProfileConfirm]:
		return "if users confirm their sign-up with a code, or an administrator confirms them"
	case drop[ProfileVerifyEmail] && drop[ProfileVerifyPhone]:
		return "if users verify their email address and phone number with a code"
	case drop[ProfileVerifyPhone]:
		return "if your pool has no phone numbers, or users verify them with a code"
	}
	return "if your pool has no email addresses, or users verify them with a code"
}

// PrintFailures lists every failed scenario once, with the depths that
// failed it: where it is, the Examples row, the fixture, the step, what it
// expected and got, and how to fix it, said in full for the first failure
// of each rule. Failures that show the handler never does what the claim
// promises are not listed: one line says so and names the claim that fits.
func PrintFailures(w io.Writer, failures []FailedScenario, a Advice) {
	if len(failures) == 0 {
		return
	}
	never, refused, rest := a.neverKept(failures)
	switch {
	case len(never) == 0:
		fmt.Fprintf(w, "\nFAILED: %d scenario(s), each once, with the depths that failed it:\n", len(failures))
	case len(rest) == 0:
		fmt.Fprintf(w, "\nFAILED: %d scenario(s), all said in one line:\n", len(failures))
	default:
		fmt.Fprintf(w, "\nFAILED: %d scenario(s): %d said in one line, the other %d each once, with the depths that failed it:\n", len(failures), len(failures)-len(rest), len(rest))
	}
	if len(never) > 0 {
		fmt.Fprintf(w, "  CLAIM: %s\n", a.suggestion(never, refused))
	}
	// A handler's error text and a feature's words are shown inert (rules §15).
	indent := func(s string) string { return strings.ReplaceAll(termtext.Inert(s), "\n", "\n              ") }
	first := map[int]int{} // a rule's first failure, by its number
	for i, f := range rest {
		fmt.Fprintf(w, "  %d. %s\n     failed:  at %s\n     where:   %s, %s\n", i+1, termtext.Line(f.Scenario), strings.Join(f.Depths, ", "), termtext.Line(f.URI), termtext.Line(f.Where))
		if f.Fixture != "" {
			fmt.Fprintf(w, "     event:   %s\n", f.Fixture)
		}
		if f.Step != "" {
			fmt.Fprintf(w, "     step:    %s\n", termtext.Line(f.Step))
		}
		fmt.Fprintf(w, "     error:   %s\n", indent(f.Error))
		for _, e := range f.Elsewhere {
			fmt.Fprintf(w, "     at %s:  %s\n              %s\n", e.Depth, termtext.Line(e.Step), indent(e.Error))
		}
		switch rule, line := a.fix(f.Error); {
		case rule < 0:
		case first[rule] > 0:
			fmt.Fprintf(w, "     fix:     as for %d.\n", first[rule])
		default:
			first[rule] = i + 1
			fmt.Fprintf(w, "     fix:     %s\n", line)
		}
	}
}
