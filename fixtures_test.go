package autoconfirm_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
)

// fixtureRefs maps each step phrase that names a fixture to its directory.
var fixtureRefs = []struct {
	re  *regexp.Regexp
	dir string
}{
	{regexp.MustCompile(`^a new user signs up with the event "([^"]+)"$`), "fixtures"},
	{regexp.MustCompile(`^the pool already holds the users in "([^"]+)"$`), "fixtures/pool"},
}

// namedFixtures compiles every feature into pickles (expanding outlines) and
// returns the fixture files their steps name.
func namedFixtures(t *testing.T, content fs.FS) map[string]bool {
	t.Helper()
	named := map[string]bool{}
	files, err := fs.Glob(content, "features/*.feature")
	if err != nil || len(files) == 0 {
		t.Fatalf("no features found: %v", err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(content, f)
		if err != nil {
			t.Fatal(err)
		}
		newID := (&messages.Incrementing{}).NewId
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(b), newID)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range gherkin.Pickles(*doc, f, newID) {
			for _, s := range p.Steps {
				for _, ref := range fixtureRefs {
					if m := ref.re.FindStringSubmatch(s.Text); m != nil {
						named[ref.dir+"/"+m[1]+".json"] = true
					}
				}
			}
		}
	}
	return named
}

func TestFixturesAreUsedAndExist(t *testing.T) {
	content := autoconfirm.Content()
	named := namedFixtures(t, content)
	var onDisk []string
	for _, dir := range []string{"fixtures", "fixtures/pool", "fixtures/bad"} {
		m, _ := fs.Glob(content, dir+"/*.json")
		onDisk = append(onDisk, m...)
	}
	sort.Strings(onDisk)
	exists := map[string]bool{}
	for _, f := range onDisk {
		exists[f] = true
		if !named[f] {
			t.Errorf("%s is not used by any scenario", f)
		}
	}
	for f := range named {
		if !exists[f] {
			t.Errorf("a scenario names %s, which does not exist", f)
		}
	}
	if len(onDisk) < 15 {
		t.Errorf("expected at least 15 fixtures, found %d", len(onDisk))
	}
	if bad, _ := fs.Glob(content, "fixtures/bad/*.json"); len(bad) < 25 {
		t.Errorf("expected at least 25 bad-input fixtures, found %d", len(bad))
	}
}

// TestEventFixturesAreRealShaped decodes every event fixture into the
// aws-lambda-go type and checks the members a real event carries.
func TestEventFixturesAreRealShaped(t *testing.T) {
	content := autoconfirm.Content()
	files, _ := fs.Glob(content, "fixtures/*.json")
	for _, f := range files {
		t.Run(path.Base(f), func(t *testing.T) {
			b, err := fs.ReadFile(content, f)
			if err != nil {
				t.Fatal(err)
			}
			var ev events.CognitoEventUserPoolsPreSignup
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("does not decode into events.CognitoEventUserPoolsPreSignup: %v", err)
			}
			if !strings.HasPrefix(ev.TriggerSource, "PreSignUp_") {
				t.Errorf("triggerSource %q is not a pre sign-up source", ev.TriggerSource)
			}
			for _, member := range []string{"version", "triggerSource", "region", "userPoolId", "userName",
				"callerContext.awsSdkVersion", "callerContext.clientId", "request.userAttributes", "response"} {
				if !gjson.GetBytes(b, member).Exists() {
					t.Errorf("missing %s", member)
				}
			}
			// Cognito sends all three flags false; the article's {} is the one exception.
			if r := gjson.GetBytes(b, "response"); r.Raw != "{}" {
				for _, flag := range []string{"autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone"} {
					if v := r.Get(flag); v.Type != gjson.False {
						t.Errorf("response.%s is %s, want false as Cognito sends it", flag, v.Raw)
					}
				}
			}
		})
	}
}

func TestPoolFixturesAreListUsersReplies(t *testing.T) {
	content := autoconfirm.Content()
	files, _ := fs.Glob(content, "fixtures/pool/*.json")
	for _, f := range files {
		b, _ := fs.ReadFile(content, f)
		var page struct{ Users []cognitofake.User }
		if err := json.Unmarshal(b, &page); err != nil || len(page.Users) == 0 {
			t.Errorf("%s: not a ListUsers reply with users: %v", f, err)
		}
		for _, u := range page.Users {
			if u.Username == "" {
				t.Errorf("%s: a user has no Username", f)
			}
		}
	}
}
