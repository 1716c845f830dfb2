// Package diff sends two handlers the same sign-ups and reports where they
// decide differently: each difference once, grouped by kind, with the
// smallest event that shows it. The events are the fixtures and generated
// ones that cover what a trigger meets, and a few it should never meet.
package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/presignup"

	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// Holding is how another user holds a value before the sign-up.
type Holding string

// The holdings a case can arrange for an email address or phone number.
const (
	Free       Holding = "free"
	Verified   Holding = "held verified by another user"
	Unverified Holding = "held unverified by another user"
)

// Case is one sign-up: the event, and who holds its values already.
type Case struct {
	// Name says where the case came from: a fixture's name, or
	// "generated #N".
	Name  string
	Event events.CognitoEventUserPoolsPreSignup
	// Email and Phone say how another user holds the event's values.
	Email, Phone Holding
}

// JSON is the event as a handler receives it.
func (c Case) JSON() []byte {
	b, _ := json.Marshal(c.Event)
	return b
}

// Input is the case as a target runs it, the holders included.
func (c Case) Input() *targets.Input {
	event := c.JSON()
	// A case sent again, to tell a difference from chance, gets the values
	// it got the first time.
	sum := sha256.Sum256(append([]byte(c.Name+"\x00"), event...))
	in := &targets.Input{Fixture: c.Name, Event: event, Key: hex.EncodeToString(sum[:])}
	attrs := c.Event.Request.UserAttributes
	for _, h := range []struct {
		holding    Holding
		attr, flag string
	}{{c.Email, presignup.AttrEmail, "email_verified"}, {c.Phone, presignup.AttrPhone, "phone_number_verified"}} {
		v, ok := attrs[h.attr]
		if h.holding == Free || h.holding == "" || !ok {
			continue
		}
		in.Holders = append(in.Holders, targets.Holder{Attributes: map[string]string{h.attr: v, h.flag: fmt.Sprint(h.holding == Verified)}})
	}
	return in
}

// class names what kind of value an attribute holds: absent, empty,
// invalid or valid, as Cognito's own validation would see it.
func class(attrs map[string]string, attr string) string {
	v, ok := attrs[attr]
	switch {
	case !ok:
		return "absent"
	case strings.TrimSpace(v) == "":
		return "empty"
	case attr == presignup.AttrEmail && !presignup.PlausibleEmail(v), attr == presignup.AttrPhone && !presignup.ValidE164(v):
		return "invalid"
	}
	return "valid"
}

// Fixtures reads every fixture under dir in fsys that is a pre sign-up
// event Cognito sends: the files under bad/, and any with another trigger
// source, are left out.
func Fixtures(fsys fs.FS, dir string) ([]Case, error) {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, err
	}
	if err := bounded.CheckTree(sub, bounded.FixtureTree()); err != nil {
		return nil, err
	}
	var out []Case
	err = fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "bad":
			return fs.SkipDir
		case d.IsDir() || path.Ext(p) != ".json":
			return nil
		}
		b, err := bounded.ReadFS(fsys, p, bounded.Fixture, bounded.FixtureRule)
		if err != nil {
			return err
		}
		switch gjson.GetBytes(b, "triggerSource").Str {
		case presignup.SourceSignUp, presignup.SourceAdminCreateUser, presignup.SourceExternalProvider:
		default:
			return nil // not an event Cognito sends
		}
		var c Case
		if err := json.Unmarshal(b, &c.Event); err != nil {
			return nil // not the shape a trigger is sent
		}
		c.Name = strings.TrimSuffix(strings.TrimPrefix(p, dir+"/"), ".json")
		c.Email, c.Phone = Free, Free
		out = append(out, c)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Generate makes n events from seed; the same seed makes the same events.
// They cover each trigger source; an email address and a phone number
// present, absent, empty and odd (letter case, Unicode, plus-addressing,
// spaces, phone shapes Cognito refuses); extra attributes, clientMetadata
// and validationData; and values held verified, held unverified, or free.
func Generate(seed uint64, n int) []Case {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	pick := func(options []string) string { return options[r.IntN(len(options))] }
	out := make([]Case, 0, n)
	for i := range n {
		c := Case{Name: fmt.Sprintf("generated #%d", i+1), Email: Free, Phone: Free}
		e := &c.Event
		e.Version, e.Region, e.UserPoolID = "1", "us-east-1", "us-east-1_Example"
		e.CallerContext = events.CognitoEventUserPoolsCallerContext{AWSSDKVersion: "aws-sdk-unknown-unknown", ClientID: "1example23456789"}
		e.TriggerSource = pick([]string{presignup.SourceSignUp, presignup.SourceSignUp, presignup.SourceSignUp, presignup.SourceSignUp,
			presignup.SourceAdminCreateUser, presignup.SourceExternalProvider})
		e.UserName = fmt.Sprintf("user-%d", i+1)
		if e.TriggerSource == presignup.SourceExternalProvider {
			e.UserName = fmt.Sprintf("Google_1%08d", i+1)
		}
		attrs := generatedAttrs(r, pick, e.TriggerSource)
		e.Request.UserAttributes = attrs
		if r.IntN(3) == 0 {
			e.Request.ClientMetadata = map[string]string{"source": pick([]string{"web", "ios", ""})}
		}
		if r.IntN(4) == 0 {
			e.Request.ValidationData = map[string]string{"recaptcha": "token"}
		}
		holding := func(attr string) Holding {
			if class(attrs, attr) != "valid" {
				return Free
			}
			return Holding(pick([]string{string(Free), string(Free), string(Verified), string(Unverified)}))
		}
		c.Email, c.Phone = holding(presignup.AttrEmail), holding(presignup.AttrPhone)
		out = append(out, c)
	}
	return out
}

// generatedAttrs are a generated event's attributes: an email address and
// a phone number, each absent, empty, valid or not in one of many ways, a
// few others, and a federated user's identities. The order of its draws
// from r is part of what a seed replays.
func generatedAttrs(r *rand.Rand, pick func([]string) string, source string) map[string]string {
	attrs := map[string]string{}
	local := pick([]string{"sam", "Sam.Taylor", "ünïcode", "o'brien", "sam+news", "SAM", "a"})
	domain := pick([]string{"example.com", "Example.COM", "exämple.com", "mail.example.co.uk"})
	if v, ok := pickValue(r, []string{
		"", // absent
		local + "@" + domain, local + "@" + domain, local + "@" + domain,
		"=", // empty
		" " + local + "@" + domain + " ",
		local + "." + domain,
		local + "@@" + domain,
	}); ok {
		attrs[presignup.AttrEmail] = v
	}
	if v, ok := pickValue(r, []string{
		"",
		"+15550100", "+447700900123", "+15550100",
		"=",
		"+1 555 0100", "15550100", "+1555010012345678", "+1-555-0100", "+0123456", "+1555abc0100",
	}); ok {
		attrs[presignup.AttrPhone] = v
	}
	for _, extra := range []string{"name", "given_name", "custom:tier", "locale"} {
		if r.IntN(4) == 0 {
			attrs[extra] = pick([]string{"Sam", "gold", "en-GB", "x"})
		}
	}
	if source == presignup.SourceExternalProvider {
		attrs["identities"] = `[{"providerName":"Google","providerType":"Google"}]`
	}
	return attrs
}

// pickValue picks one of options: "" means absent, "=" empty.
func pickValue(r *rand.Rand, options []string) (string, bool) {
	v := options[r.IntN(len(options))]
	switch v {
	case "":
		return "", false
	case "=":
		return "", true
	}
	return v, true
}

// smaller lists the cases one step smaller than c: one attribute, one
// client metadata or validation data entry, or one holder fewer, or one
// value shorter by a character. Shrinking tries them in this order. An
// email address or phone number keeps its characters: cut down, it keeps
// its class by the letter of the checks (@@m, +3) and loses it to a reader
// and to Cognito's own validation (red team round 25).
func smaller(c Case) []Case {
	var out []Case
	clone := func() Case {
		d := c
		d.Event.Request.UserAttributes = maps.Clone(c.Event.Request.UserAttributes)
		d.Event.Request.ClientMetadata = maps.Clone(c.Event.Request.ClientMetadata)
		d.Event.Request.ValidationData = maps.Clone(c.Event.Request.ValidationData)
		return d
	}
	if c.Email != Free {
		d := clone()
		d.Email = Free
		out = append(out, d)
	}
	if c.Phone != Free {
		d := clone()
		d.Phone = Free
		out = append(out, d)
	}
	for _, field := range []func(*Case) *map[string]string{
		func(d *Case) *map[string]string { return &d.Event.Request.ClientMetadata },
		func(d *Case) *map[string]string { return &d.Event.Request.ValidationData },
		func(d *Case) *map[string]string { return &d.Event.Request.UserAttributes },
	} {
		for _, k := range slices.Sorted(maps.Keys(*field(&c))) {
			d := clone()
			delete(*field(&d), k)
			out = append(out, d)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Event.Request.UserAttributes)) {
		if k == presignup.AttrEmail || k == presignup.AttrPhone {
			continue
		}
		v := []rune(c.Event.Request.UserAttributes[k])
		for i := range v {
			if len(v) <= 1 || strings.ContainsRune("@+", v[i]) {
				continue
			}
			d := clone()
			d.Event.Request.UserAttributes[k] = string(slices.Delete(slices.Clone(v), i, i+1))
			out = append(out, d)
		}
	}
	return out
}

// size orders cases for shrinking: fewer holders, entries and bytes first.
func size(c Case) int {
	n := len(c.JSON())
	if c.Email != Free {
		n += 1000
	}
	if c.Phone != Free {
		n += 1000
	}
	return n
}
