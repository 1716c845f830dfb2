package diff

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/presignup"
)

// signUp is a case of source with the given attributes and holdings.
func signUp(source string, attrs map[string]string, email, phone Holding) Case {
	c := Case{Name: "t", Email: email, Phone: phone}
	c.Event.TriggerSource = source
	c.Event.Request.UserAttributes = attrs
	return c
}

// TestCategorise: a takeover or an answer Cognito refuses or cannot take
// breaks a profile; an empty or invalid value Cognito validates is
// test-only, whatever the sides do with it; the rest is a changed decision.
func TestCategorise(t *testing.T) {
	valid := map[string]string{"email": "sam@example.com", "phone_number": "+15550100"}
	badPhone := map[string]string{"email": "sam@example.com", "phone_number": "+1 555 0100"}
	emptyEmail := map[string]string{"email": ""}
	confirm := Decision{Outcome: Accepted, Confirm: true}
	verifyEmail := Decision{Outcome: Accepted, Confirm: true, Email: true}
	verifyPhone := Decision{Outcome: Accepted, Confirm: true, Phone: true}
	refused := Decision{Outcome: Refused, Message: "closed"}
	for _, tt := range []struct {
		name     string
		c        Case
		a, b     Decision
		want     Category
		takeover bool
		why      string // in the harm text
	}{
		{"B verifies an email held verified", signUp(presignup.SourceSignUp, valid, Verified, Free), confirm, verifyEmail, BreaksProfile, true, "B verifies an email address another user holds verified"},
		{"A verifies a phone held verified", signUp(presignup.SourceSignUp, valid, Free, Verified), verifyPhone, refused, BreaksProfile, true, "A verifies a phone number"},
		// A federated user's attributes are the provider's; the flags do
		// not move an alias there (rules §6; red team round 25).
		{"not on ExternalProvider", signUp(presignup.SourceExternalProvider, valid, Verified, Free), verifyEmail, confirm, DecisionChange, false, ""},
		{"a verify flag Cognito refuses", signUp(presignup.SourceSignUp, valid, Free, Free), confirm, Decision{Outcome: Refused, Message: "by Cognito: a verify flag without autoConfirmUser (rules §2)"}, BreaksProfile, false, "B gives an answer Cognito refuses, a verify flag without autoConfirmUser (rules §2)"},
		{"a crash", signUp(presignup.SourceSignUp, valid, Free, Free), Decision{Outcome: Failed, Message: "Runtime.ExitError"}, confirm, BreaksProfile, false, "A fails the sign-up"},
		{"an unreadable answer", signUp(presignup.SourceSignUp, valid, Free, Free), confirm, Decision{Outcome: Failed, Message: "Cognito cannot read the answer: x"}, BreaksProfile, false, "rules §1"},
		{"verifying a value held unverified", signUp(presignup.SourceSignUp, valid, Unverified, Free), confirm, verifyEmail, DecisionChange, false, ""},
		{"a refusal on an ordinary sign-up", signUp(presignup.SourceSignUp, valid, Free, Free), confirm, refused, DecisionChange, false, ""},
		{"verifying an email, with an invalid phone", signUp(presignup.SourceSignUp, badPhone, Verified, Free), confirm, verifyEmail, TestOnly, false, "its phone_number is invalid"},
		{"an empty email on AdminCreateUser", signUp(presignup.SourceAdminCreateUser, emptyEmail, Free, Free), Decision{Outcome: Accepted}, Decision{Outcome: Failed, Message: "crash"}, TestOnly, false, "its email is empty"},
		{"an invalid phone from a federated user", signUp(presignup.SourceExternalProvider, badPhone, Free, Free), verifyPhone, confirm, DecisionChange, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cat, why, takeover := categorise(tt.c, tt.a, tt.b)
			if cat != tt.want || takeover != tt.takeover || (tt.why == "") != (why == "") || !strings.Contains(why, tt.why) {
				t.Errorf("categorise = %s, takeover %v, %q; want %s, takeover %v, with %q", cat, takeover, why, tt.want, tt.takeover, tt.why)
			}
			for _, d := range compare(tt.c, tt.a, tt.b) {
				if d.Category != tt.want || d.Rank != tt.want.Rank() {
					t.Errorf("compare: %s is %s (rank %d), want %s", d.Kind, d.Category, d.Rank, tt.want)
				}
			}
		})
	}
}

// TestRank: alias takeovers first, then the rest that breaks a profile,
// then changed decisions, then test-only; by kind within each.
func TestRank(t *testing.T) {
	ds := []Difference{
		{Kind: "outcome", Category: TestOnly},
		{Kind: "autoVerifyPhone", Category: DecisionChange},
		{Kind: "outcome", Category: DecisionChange},
		{Kind: "failure", Category: BreaksProfile},
		{Kind: "autoVerifyEmail", Category: BreaksProfile, Takeover: true},
	}
	rank(ds)
	var got []string
	for _, d := range ds {
		got = append(got, string(d.Category)+" "+d.Kind)
	}
	want := "breaks-profile autoVerifyEmail,breaks-profile failure,decision-change outcome,decision-change autoVerifyPhone,test-only outcome"
	if strings.Join(got, ",") != want {
		t.Errorf("ranked %s\nwant      %s", strings.Join(got, ","), want)
	}
}

// offDomain refuses sign-ups at one domain: an ordinary change of decision.
func offDomain(in *targets.Input, obs *targets.Observation) {
	if e := emailOf(in); strings.HasSuffix(e, "@mail.example.co.uk") && !obs.Refused {
		obs.Refused, obs.Message = true, "closed"
		obs.Confirmed, obs.EmailVerified, obs.PhoneVerified = nil, nil, nil
	}
}

// TestRankedRun: a change that removes the guard, refuses a domain and
// loosens the phone checks gives all three categories, the takeover first
// and the test-only events last, each group under one heading.
func TestRankedRun(t *testing.T) {
	change := func(in *targets.Input, obs *targets.Observation) {
		noGuard(in, obs)
		offDomain(in, obs)
		loosePhone(in, obs)
	}
	res, err := Run(context.Background(), Options{A: Side{Name: "reference", Target: targets.NewInProcess()},
		B: Side{Name: "changed", Target: mutant{targets.NewInProcess(), change}}, Cases: cases(t, 300)})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res.Print(&out)
	if len(res.Differences) < 3 {
		t.Fatalf("%d differences:\n%s", len(res.Differences), out.String())
	}
	first, last := res.Differences[0], res.Differences[len(res.Differences)-1]
	if !first.Takeover || first.Category != BreaksProfile || !strings.Contains(first.Harm, "B verifies") {
		t.Errorf("the first difference is not B's takeover: %+v\n%s", first, out.String())
	}
	if last.Category != TestOnly {
		t.Errorf("the last difference is not test-only: %+v\n%s", last, out.String())
	}
	for i := 1; i < len(res.Differences); i++ {
		if res.Differences[i].Rank < res.Differences[i-1].Rank {
			t.Errorf("difference %d (rank %d) after one of rank %d", i+1, res.Differences[i].Rank, res.Differences[i-1].Rank)
		}
	}
	text := out.String()
	at := -1
	for _, c := range Categories {
		i := strings.Index(text, c.Heading())
		if i < 0 || i < at || strings.Count(text, c.Heading()) != 1 {
			t.Errorf("the heading of %s is not once, in rank order:\n%s", c, text)
		}
		at = i
	}
	if len(res.Nondeterministic) != 0 {
		t.Errorf("a deterministic change reported as nondeterministic: %+v", res.Nondeterministic)
	}
}

// flaky is autoconfirm's handler, except that it decides some events
// otherwise on their first send than on later ones.
type flaky struct {
	*targets.InProcess
	on     func(in *targets.Input) bool
	change func(in *targets.Input, obs *targets.Observation)
	mu     sync.Mutex
	sent   map[string]int
}

func (f *flaky) Run(ctx context.Context, in *targets.Input) (*targets.Observation, error) {
	obs, err := f.InProcess.Run(ctx, in)
	f.mu.Lock()
	f.sent[string(in.Event)]++
	n := f.sent[string(in.Event)]
	f.mu.Unlock()
	if err == nil && n == 1 && f.on(in) {
		f.change(in, obs)
	}
	return obs, err
}

// TestNondeterministic: a side that decides a sign-up two ways is reported
// once, naming the side and the event, and its noise is not listed as
// differences; a deterministic change is not; what --ignore ignores is not
// checked.
func TestNondeterministic(t *testing.T) {
	all := func(*targets.Input) bool { return true }
	oneFixture := func(in *targets.Input) bool { return in.Fixture == "email-only" }
	noConfirm := func(_ *targets.Input, obs *targets.Observation) {
		if !obs.Refused {
			obs.Confirmed = new(bool)
		}
	}
	noPhone := func(_ *targets.Input, obs *targets.Observation) { obs.PhoneVerified = new(bool) }
	for _, tt := range []struct {
		name    string
		b       targets.Target
		ignore  []string
		side    string // the nondeterministic side, if any
		first   string
		maxDiff int
	}{
		{"every first send unconfirmed", &flaky{InProcess: targets.NewInProcess(), on: all, change: noConfirm, sent: map[string]int{}}, nil, "B", "", 0},
		{"one fixture's first send unconfirmed", &flaky{InProcess: targets.NewInProcess(), on: oneFixture, change: noConfirm, sent: map[string]int{}}, nil, "B", "email-only", 0},
		{"a flip in an ignored kind", &flaky{InProcess: targets.NewInProcess(), on: all, change: noPhone, sent: map[string]int{}}, []string{"autoVerifyPhone"}, "", "", 0},
		{"a deterministic change", mutant{targets.NewInProcess(), noGuard}, nil, "", "", 100},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run(context.Background(), Options{A: Side{Name: "reference", Target: targets.NewInProcess()},
				B: Side{Name: "flaky", Target: tt.b}, Cases: cases(t, 200), Ignore: tt.ignore, ShrinkSteps: 5})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			res.Print(&out)
			if tt.side == "" {
				if len(res.Nondeterministic) != 0 {
					t.Errorf("reported nondeterministic:\n%s", out.String())
				}
				if (len(res.Differences) > 0) != (tt.maxDiff > 0) {
					t.Errorf("%d differences:\n%s", len(res.Differences), out.String())
				}
				return
			}
			if len(res.Nondeterministic) != 1 || res.Nondeterministic[0].Side != tt.side || res.Nondeterministic[0].Spec != "flaky" {
				t.Fatalf("want side %s reported nondeterministic once:\n%s", tt.side, out.String())
			}
			n := res.Nondeterministic[0]
			if tt.first != "" && (n.First != tt.first || n.Events != 1) {
				t.Errorf("first %q after %d events, want %q after 1", n.First, n.Events, tt.first)
			}
			if n.Decisions[0] == n.Decisions[1] || n.ExampleJSON == "" {
				t.Errorf("the two decisions %v, event %q", n.Decisions, n.ExampleJSON)
			}
			if len(res.Differences) > tt.maxDiff || !res.Failed() || strings.Count(out.String(), "NONDETERMINISTIC") != 1 {
				t.Errorf("%d differences listed beside the nondeterminism:\n%s", len(res.Differences), out.String())
			}
		})
	}
}

// TestSmallerKeepsAddressesWhole: shrinking drops an email address or a
// phone number whole, or keeps it as it is, and never cuts it down to text
// such as @@m or +3 that passes the class checks and no reader or Cognito
// would take for one (red team round 25); other values shrink.
func TestSmallerKeepsAddressesWhole(t *testing.T) {
	attrs := map[string]string{presignup.AttrEmail: "pat.doe@example.com", presignup.AttrPhone: "+15555550100", "name": "Sam"}
	shorterName := false
	for _, c := range smaller(signUp(presignup.SourceSignUp, attrs, Verified, Free)) {
		got := c.Event.Request.UserAttributes
		for _, attr := range []string{presignup.AttrEmail, presignup.AttrPhone} {
			if v, ok := got[attr]; ok && v != attrs[attr] {
				t.Errorf("%s shrank to %q", attr, v)
			}
		}
		shorterName = shorterName || len(got["name"]) == 2
	}
	if !shorterName {
		t.Error("no candidate shortens the name")
	}
}
