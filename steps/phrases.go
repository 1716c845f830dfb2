package steps

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// Phrase is one step a feature can use: its keyword, the pattern it must
// match, and an example, for people who write features.
type Phrase struct {
	Keyword, Pattern, Example string
	bind                      func(*scenario) any
}

// Phrases returns every step phrase, in the order a scenario uses them.
func Phrases() []Phrase { return append([]Phrase(nil), phrases...) }

// PrintPhrases writes every phrase with its example, grouped by keyword.
func PrintPhrases(w io.Writer) {
	last := ""
	for _, p := range phrases {
		if p.Keyword != last {
			fmt.Fprintf(w, "\n%s\n", p.Keyword)
			last = p.Keyword
		}
		fmt.Fprintf(w, "  %s\n      e.g. %s %s\n", p.Pattern, p.Keyword, p.Example)
	}
}

// phrases is the whole vocabulary. godog matches a step's text against each
// pattern whatever its keyword; the keyword here says where it belongs.
var phrases = []Phrase{
	{"Given", `^a new user signs up with the event "([^"]+)"$`, `a new user signs up with the event "email-only"`,
		func(st *scenario) any { return st.signsUpWith }},
	{"Given", `^a new user signs up with a generated event: (.+)$`, `a new user signs up with a generated event: an event of 6 MB`,
		func(st *scenario) any { return st.signsUpWithGenerated }},
	{"Given", `^the alias policy is "(skip-verify|reject|allow)"$`, `the alias policy is "reject"`,
		func(st *scenario) any { return st.policyIs }},
	{"Given", `^the function looks users up with (AdminGetUser|ListUsers)$`, `the function looks users up with ListUsers`,
		func(st *scenario) any { return st.lookupIs }},
	{"Given", `^the pool's only alias attribute is the email address$`, `the pool's only alias attribute is the email address`,
		func(st *scenario) any { return st.poolConfig(targets.PoolConfig{AliasAttributes: []string{"email"}}) }},
	{"Given", `^the pool uses the email address as the username$`, `the pool uses the email address as the username`,
		func(st *scenario) any {
			return st.poolConfig(targets.PoolConfig{UsernameAttributes: []string{"email"}})
		}},
	{"Given", `^the pool's configuration cannot be read$`, `the pool's configuration cannot be read`,
		func(st *scenario) any { return st.describeFails }},
	{"Given", `^another user already has this (email address|phone number) and has verified it$`, `another user already has this email address and has verified it`,
		func(st *scenario) any { return st.holder(true) }},
	{"Given", `^another user already has this (email address|phone number) and has verified it, but is disabled$`, `another user already has this phone number and has verified it, but is disabled`,
		func(st *scenario) any { return st.disabledHolder }},
	{"Given", `^another user already has this (email address|phone number) but has not verified it$`, `another user already has this email address but has not verified it`,
		func(st *scenario) any { return st.holder(false) }},
	{"Given", `^another user already has the verified (email address|phone number) "([^"]*)"$`, `another user already has the verified email address "Sam.Taylor@EXAMPLE.com"`,
		func(st *scenario) any { return st.holderOf }},
	{"Given", `^the pool already holds the users in "([^"]+)"$`, `the pool already holds the users in "paged-holder"`,
		func(st *scenario) any { return st.poolHolds }},
	{"Given", `^the pool answers (\d+) users? per page$`, `the pool answers 5 users per page`,
		func(st *scenario) any { return st.pageSize }},
	{"Given", `^the pool lookup (fails with a server error|is throttled|returns a reply that is not JSON|drops the connection|never answers|reports that the pool does not exist|cannot connect)$`, `the pool lookup is throttled`,
		func(st *scenario) any { return st.lookupFault }},
	{"Given", `^every lookup of this (email address|phone number) (is throttled|fails with an internal error)$`, `every lookup of this email address is throttled`,
		func(st *scenario) any { return st.valueFault }},
	{"Given", `^every lookup of this (email address|phone number) is answered after (\d+) milliseconds$`, `every lookup of this email address is answered after 1500 milliseconds`,
		func(st *scenario) any { return st.lateValue }},
	{"Given", `^the pool holds (\d+) other users with this (email address|phone number), none of them verified$`, `the pool holds 300 other users with this email address, none of them verified`,
		func(st *scenario) any { return st.manyHolders }},
	{"Given", `^the invocation has (\d+) milliseconds left$`, `the invocation has 400 milliseconds left`,
		func(st *scenario) any { return st.deadline }},
	{"Given", `^the pool takes (\d+) milliseconds to answer each lookup$`, `the pool takes 10000 milliseconds to answer each lookup`,
		func(st *scenario) any { return st.latency }},
	{"Given", `^the lookup budget is (\d+) milliseconds$`, `the lookup budget is 300 milliseconds`,
		func(st *scenario) any { return st.budget }},

	{"When", `^the sign-up reaches the pre sign-up trigger$`, `the sign-up reaches the pre sign-up trigger`,
		func(st *scenario) any { return st.run }},

	{"Then", `^the answer is one Cognito accepts$`, `the answer is one Cognito accepts`,
		func(st *scenario) any { return st.cognitoAccepts }},
	{"Then", `^the answer verifies no value that is empty or invalid$`, `the answer verifies no value that is empty or invalid`,
		func(st *scenario) any { return st.defensiveAccepts }},
	{"Then", `^the user (is|is not) confirmed$`, `the user is confirmed`,
		func(st *scenario) any { return st.confirmed }},
	{"Then", `^the (email address|phone number) (is|is not) verified$`, `the email address is verified`,
		func(st *scenario) any { return st.verified }},
	{"Then", `^the (email address|phone number) is left unverified or the sign-up is refused$`, `the phone number is left unverified or the sign-up is refused`,
		func(st *scenario) any { return st.keptOrRefused }},
	{"Then", `^the (email address|phone number) is left unverified, or the sign-up does not go through$`, `the email address is left unverified, or the sign-up does not go through`,
		func(st *scenario) any { return st.keptUnderFault }},
	{"Then", `^the sign-up is refused$`, `the sign-up is refused`,
		func(st *scenario) any { return st.refused }},
	{"Then", `^the refusal says "([^"]*)"$`, `the refusal says "email address"`,
		func(st *scenario) any { return st.refusalSays }},
	{"Then", `^the refusal is exactly '(.*)'$`, `the refusal is exactly 'invalid pre sign-up event: the payload is not valid JSON'`,
		func(st *scenario) any { return st.refusalIs }},
	{"Then", `^the refusal does not name the other user$`, `the refusal does not name the other user`,
		func(st *scenario) any { return st.refusalAnonymous }},
	{"Then", `^the rest of the event comes back unchanged$`, `the rest of the event comes back unchanged`,
		func(st *scenario) any { return st.restUnchanged }},
	{"Then", `^the event comes back exactly as it was sent$`, `the event comes back exactly as it was sent`,
		func(st *scenario) any { return st.exactlyUnchanged }},
	{"Then", `^the pool is not looked up$`, `the pool is not looked up`,
		func(st *scenario) any { return st.noLookups }},
	{"Then", `^the pool is asked who holds this (email address|phone number)$`, `the pool is asked who holds this email address`,
		func(st *scenario) any { return st.askedAbout }},
	{"Then", `^no lookup asks about anything but this (email address|phone number)$`, `no lookup asks about anything but this email address`,
		func(st *scenario) any { return st.onlyExact }},
	{"Then", `^the pool is looked up (\d+) times?$`, `the pool is looked up 2 times`,
		func(st *scenario) any { return st.lookedUpTimes }},
	{"Then", `^the answer comes back within (\d+) milliseconds$`, `the answer comes back within 3000 milliseconds`,
		func(st *scenario) any { return st.answeredWithin }},
}

// Undefined returns the texts among steps that no phrase matches, each with
// the phrase whose example is closest to it, so that a typo in a feature
// is told as such rather than run as a failing scenario.
func Undefined(steps []string) (undefined []string, closest []Phrase) {
	for _, text := range steps {
		if defined(text) {
			continue
		}
		undefined = append(undefined, text)
		closest = append(closest, nearest(text))
	}
	return undefined, closest
}

// patterns are the phrases' patterns, compiled once.
var patterns = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(phrases))
	for i, p := range phrases {
		out[i] = regexp.MustCompile(p.Pattern)
	}
	return out
}()

func defined(text string) bool {
	for _, re := range patterns {
		if re.MatchString(text) {
			return true
		}
	}
	return false
}

// nearest is the phrase whose example shares the most words with text, in
// proportion to the words of both.
func nearest(text string) Phrase {
	words := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, w := range strings.Fields(strings.ToLower(s)) {
			m[strings.Trim(w, `"`)] = true
		}
		return m
	}
	have := words(text)
	best, score := phrases[0], -1.0
	for _, p := range phrases {
		want := words(p.Example)
		common := 0
		for w := range want {
			if have[w] {
				common++
			}
		}
		if s := float64(common) / float64(len(want)+len(have)-common); s > score {
			best, score = p, s
		}
	}
	return best
}
