package targets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
	"github.com/autoconfirm/autoconfirm/presignup"
)

const pool = "us-east-1_Test01"

// fakeUsers is a real SDK client talking to a fake pool that already holds
// one user the run did not create.
func fakeUsers(t *testing.T) (*cognitofake.Server, *cip.Client) {
	t.Helper()
	fake := cognitofake.New()
	t.Cleanup(fake.Close)
	fake.Seed(pool, cognitofake.User{Username: "someone-else", Enabled: true})
	api := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	return fake, api
}

func TestAdminCreatesAndDeletesOnlyItsOwn(t *testing.T) {
	ctx := context.Background()
	fake, api := fakeUsers(t)
	a := newAdmin(api, pool, 2)
	in := &Input{}
	if err := a.createHolder(ctx, in, "autoconfirm-test-r1-s1-holder1", map[string]string{"email": "a@example.com", "email_verified": "true"}); err != nil {
		t.Fatal(err)
	}
	// A name that is taken is refused: the run must not remember it, or its
	// cleanup would delete a user it did not create.
	if err := a.createHolder(ctx, in, "someone-else", nil); err == nil {
		t.Fatal("creating a taken name succeeded")
	}
	if got := a.created[in]; !slices.Equal(got, []string{"autoconfirm-test-r1-s1-holder1"}) {
		t.Errorf("remembered %q", got)
	}
	if err := a.cleanup(ctx, in); err != nil {
		t.Fatal(err)
	}
	if got := fake.Usernames(pool); !slices.Equal(got, []string{"someone-else"}) {
		t.Errorf("after cleanup the pool holds %q", got)
	}
}

func TestAdminCloseDeletesEverythingAndStopsNewUsers(t *testing.T) {
	ctx := context.Background()
	fake, api := fakeUsers(t)
	a := newAdmin(api, pool, 2)
	for i, in := range []*Input{{}, {}} {
		if err := a.createHolder(ctx, in, "autoconfirm-test-r1-s"+string(rune('1'+i))+"-holder1", nil); err != nil {
			t.Fatal(err)
		}
	}
	n, err := a.Close(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Close deleted %d: %v", n, err)
	}
	if err := a.begin(); !errors.Is(err, errClosed) {
		t.Errorf("begin after Close: %v", err)
	}
	if got := fake.Usernames(pool); !slices.Equal(got, []string{"someone-else"}) {
		t.Errorf("after Close the pool holds %q", got)
	}
}

func TestCleanupByPrefix(t *testing.T) {
	ctx := context.Background()
	fake, api := fakeUsers(t)
	fake.Seed(pool, cognitofake.User{Username: "autoconfirm-test-old-s1-new"}, cognitofake.User{Username: "autoconfirm-test-old-s2-new"})
	if _, err := Cleanup(ctx, api, pool, "alice", nil); !errors.Is(err, ErrNotOurs) {
		t.Errorf("a prefix that is not ours: %v", err)
	}
	n, err := Cleanup(ctx, api, pool, UserPrefix+"old-", nil)
	if err != nil || n != 2 {
		t.Fatalf("Cleanup deleted %d: %v", n, err)
	}
	if got := fake.Usernames(pool); !slices.Equal(got, []string{"someone-else"}) {
		t.Errorf("after Cleanup the pool holds %q", got)
	}
}

func TestNamer(t *testing.T) {
	for _, bad := range []string{"ABC", "a-b", strings.Repeat("a", 17), "ü"} {
		if _, err := NewNamer(bad); err == nil {
			t.Errorf("run id %q accepted", bad)
		}
	}
	n, err := NewNamer("r1")
	if err != nil {
		t.Fatal(err)
	}
	d := n.Scenario()
	email := d.Value("email", "sam@example.com")
	if email != "sam+r1s1@example.com" || d.Value("email", "sam@example.com") != email {
		t.Errorf("email mapped to %q", email)
	}
	phone := d.Value("phone_number", "+15555550100")
	if !strings.HasPrefix(phone, "+1") || !strings.Contains(phone, "55501") || d.Value("phone_number", "+15555550100") != phone {
		t.Errorf("phone mapped to %q", phone)
	}
	if d.Value("email", "") != "" || d.Value("phone_number", "555") != "555" {
		t.Error("an invalid value was rewritten")
	}
	if got := d.Redact("holder " + email + " and " + phone); strings.Contains(got, "sam+") || strings.Contains(got, phone) {
		t.Errorf("Redact left %q", got)
	}
	if u := d.Username("new"); u != "autoconfirm-test-r1-s1-new" {
		t.Errorf("username %q", u)
	}
}

// TestNamerKeepsShape: for the local pool, which texts and mails no one,
// values stay what a rule on them reads: the domain, no "+", the country
// and all but the last four digits (red team round 22: a UK-only handler
// got +1 555 numbers, and one refusing "+" addressing got a "+" tag).
func TestNamerKeepsShape(t *testing.T) {
	n, err := NewNamer("r1")
	if err != nil {
		t.Fatal(err)
	}
	n.KeepShape()
	d, other := n.Scenario(), n.Scenario()
	email := d.Value("email", "pat.doe@example.com")
	if email != "aaa.aab@example.com" || other.Value("email", "pat.doe@example.com") == email {
		t.Errorf("email mapped to %q, and in another scenario to %q", email, other.Value("email", "pat.doe@example.com"))
	}
	uk := d.Value("phone_number", "+447700900123")
	if len(uk) != len("+447700900123") || !strings.HasPrefix(uk, "+44770090") || d.Value("phone_number", "+447700900123") != uk ||
		other.Value("phone_number", "+447700900123") == uk || d.Value("phone_number", "+447700900124") == uk {
		t.Errorf("a UK number mapped to %q", uk)
	}
	if d.Value("phone_number", "+1234") != "+1234" && !strings.Contains(d.Value("phone_number", "+1234"), "55501") {
		t.Errorf("a short number mapped to %q", d.Value("phone_number", "+1234"))
	}
}

// TestNamerKeepsAddressShape: an address keeps its length and the kind of
// each character, so a rule on length or on letters and digits is judged as
// written (red team round 24: a 64-character local part reached the handler
// as 73), and every address of a run stays its own.
func TestNamerKeepsAddressShape(t *testing.T) {
	kinds := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= '0' && r <= '9':
				return '9'
			case r >= 'a' && r <= 'z':
				return 'a'
			case r >= 'A' && r <= 'Z':
				return 'A'
			}
			return r
		}, s)
	}
	long := strings.Repeat("a", 60) + "9.Zz@example.com"
	for _, tt := range []struct{ name, v string }{
		{"64 characters", long},
		{"65 characters", "b" + long},
		{"digits only", "1234567890@example.com"},
		{"mixed", "Pat_O.Doe-42@Example.COM"},
		{"short", "ab@example.com"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, _ := NewNamer("r1")
			n.KeepShape()
			seen := map[string]bool{}
			for i := 0; i < 600; i++ {
				got := n.Scenario().Value("email", tt.v)
				if seen[got] {
					t.Fatalf("scenario %d got %q again", i+1, got)
				}
				seen[got] = true
				if tt.name != "short" && kinds(got) != kinds(tt.v) {
					t.Fatalf("scenario %d: %q became %q", i+1, tt.v, got)
				}
			}
		})
	}
	n, _ := NewNamer("r1")
	n.KeepShape()
	d := n.Scenario()
	upper, lower, other := d.Value("email", "Sam@Example.com"), d.Value("email", "sam@example.com"), d.Value("email", "sbm@example.com")
	if !strings.EqualFold(upper, lower) || upper == lower || strings.EqualFold(lower, other) {
		t.Errorf("Sam, sam and sbm became %q, %q and %q: the first two must differ only in case, the last from both", upper, lower, other)
	}
}

// TestPointAtRewritesOnlyPoolAndValues: an event sent to the function
// names the pool, its region and the app client as Cognito would (rules
// §21), and keeps every other byte.
func TestPointAtRewritesOnlyPoolAndValues(t *testing.T) {
	const event = `{"version":"1","region":"eu-west-1","userPoolId": "old", "userName":"u", "callerContext":{"awsSdkVersion":"x","clientId":%q}, "request": {"userAttributes": {"email": "sam@example.com", "phone_number": "+15555550100", "name":"Sam"}}, "extra":[1,2]}`
	opts := LiveOptions{PoolID: "us-east-1_Real", Region: "us-east-1", ClientID: "localclient"}
	for _, tt := range []struct {
		name, client string
		opts         LiveOptions
		want         map[string]string
	}{
		{"an app client's sign-up", "fixtureclient", opts, map[string]string{
			"region": "us-east-1", "callerContext.clientId": "localclient"}},
		{"AdminCreateUser's", ClientNotApplicable, opts, map[string]string{
			"region": "us-east-1", "callerContext.clientId": ClientNotApplicable}},
		{"no region or client known", "fixtureclient", LiveOptions{PoolID: "us-east-1_Real"}, map[string]string{
			"region": "eu-west-1", "callerContext.clientId": "fixtureclient"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, _ := NewNamer("r1")
			out := pointAt([]byte(fmt.Sprintf(event, tt.client)), tt.opts, n.Scenario())
			want := map[string]string{"userPoolId": "us-east-1_Real", "userName": "u", "version": "1",
				"request.userAttributes.email": "sam+r1s1@example.com", "callerContext.awsSdkVersion": "x",
				"request.userAttributes.name": "Sam", "extra": "[1,2]"}
			for k, v := range tt.want {
				want[k] = v
			}
			for path, w := range want {
				if got := gjson.GetBytes(out, path).String(); got != w {
					t.Errorf("%s = %q, want %q", path, got, w)
				}
			}
			if !strings.Contains(string(out), `"userName":"u", "callerContext":{`) {
				t.Errorf("the bytes around the edits changed: %s", out)
			}
		})
	}
}

func TestInProcessObserves(t *testing.T) {
	event := []byte(`{"triggerSource":"PreSignUp_SignUp","userPoolId":"p","userName":"u","request":{"userAttributes":{"email":"sam@example.com"}},"response":{}}`)
	tests := []struct {
		name    string
		in      Input
		email   bool
		lookups int
	}{
		{"nobody holds it", Input{Event: event}, true, 1},
		{"someone does", Input{Event: event, Holders: []Holder{{Username: "h", Attributes: map[string]string{"email": "sam@example.com", "email_verified": "true"}}}}, false, 1},
		{"the pool fails", Input{Event: event, Fake: &FakeSettings{Fault: FaultThrottle}}, false, 3}, // the SDK's three attempts
		{"email is no alias", Input{Event: event, Fake: &FakeSettings{Pool: &PoolConfig{AliasAttributes: []string{"phone_number"}}}}, true, 0},
		{"its lookups are throttled", Input{Event: event, ValueFaults: []ValueFault{{Attr: "email", Value: "Sam@example.com", Fault: FaultThrottle}}}, false, 3},
		{"another value's lookups fail", Input{Event: event, ValueFaults: []ValueFault{{Attr: "email", Value: "kim@example.com", Fault: FaultServerError}}}, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs, err := NewInProcess().Run(context.Background(), &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if obs.Confirmed == nil || !*obs.Confirmed || *obs.EmailVerified != tt.email || len(obs.Lookups) != tt.lookups {
				t.Errorf("confirmed %v, email %v, lookups %v", *obs.Confirmed, *obs.EmailVerified, obs.Lookups)
			}
		})
	}
}

func TestLiveTargetsRefuseFakeSettings(t *testing.T) {
	o := LiveOptions{Policy: "skip-verify", Lookup: "admin-get-user"}
	for _, f := range []*FakeSettings{{Fault: FaultHang}, {Budget: 1}, {PageSize: 3}, {Pool: &PoolConfig{}}} {
		if err := o.unsupported(&Input{Fake: f}); !errors.Is(err, ErrCannot) {
			t.Errorf("%+v: %v", f, err)
		}
	}
	if err := o.unsupported(&Input{Policy: "reject"}); !errors.Is(err, ErrCannot) {
		t.Error("a scenario that needs another policy was not refused")
	}
	if err := o.unsupported(&Input{}); err != nil {
		t.Errorf("a scenario without a policy of its own was refused: %v", err)
	}
}

// TestFailureOf: timeouts and runtime errors are failures, told apart from a
// handler's own refusal by what each depth can see.
func TestFailureOf(t *testing.T) {
	for _, tt := range []struct {
		errorType, message string
		failure            bool
	}{
		{"", "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.", true},
		{"", "PreSignUp failed with error RequestId: 1 Error: Task timed out after 1.00 seconds.", true},
		{"Cognito.Timeout", "timed out: Cognito would fail it: no answer within 5s in 3 attempts", true},
		{"Sandbox.Timedout", "RequestId: 1 Error: Task timed out after 3.00 seconds", true},
		{"Runtime.ImportModuleError", "Unable to import module 'x'", true},
		{"Runtime.ExitError", "RequestId: 1 Error: Runtime exited with error: exit status 1", true},
		{"Error", "Sign-up is open only to staff", false},
		{"", "PreSignUp failed with error Sign-up is open only to staff.", false},
		{"RuntimeError", "the sign-up service is not configured", false},
	} {
		if got := failureOf(tt.errorType, tt.message) != ""; got != tt.failure {
			t.Errorf("failureOf(%q, %q) failure = %v, want %v", tt.errorType, tt.message, got, tt.failure)
		}
	}
}

// TestPhonesDoNotCollide: two runs with the same id start apart among the
// fictional numbers, every number is E.164, and a number someone in the pool
// holds is passed over.
func TestPhonesDoNotCollide(t *testing.T) {
	starts := map[int]bool{}
	for i := 0; i < 20; i++ {
		n, _ := NewNamer("168")
		starts[n.seq.start] = true
		for j := 0; j < 3; j++ {
			if p := n.phone(); !presignup.ValidE164(p) || !strings.Contains(p, "55501") {
				t.Fatalf("%q is not a fictional E.164 number", p)
			}
		}
	}
	// The start is random, not the run id's: 20 runs with one id all
	// starting at the same number would happen once in 80,000^19.
	if len(starts) == 1 {
		t.Error("runs with the same id start at the same phone number")
	}
	fake, api := fakeUsers(t)
	ad := newAdmin(api, pool, 2)
	n, _ := NewNamer("r1")
	next := fmt.Sprintf("+1%03d55501%02d", 200+n.seq.start/100, n.seq.start%100)
	fake.Seed(pool, cognitofake.User{Username: "other-run", Enabled: true, Attributes: []cognitofake.Attribute{{Name: "phone_number", Value: next}}})
	n.SetTaken(ad.phoneTaken)
	if got := n.phone(); got == next {
		t.Errorf("the run took %s, which another user holds", got)
	}
}

// TestSignUpRetriedAfterAServerError: Cognito created the user and then
// answered 500; the SDK's retry got UsernameExistsException. The user bears
// this run's marker, so the run reads it as its own and deletes it after.
func TestSignUpRetriedAfterAServerError(t *testing.T) {
	var mu sync.Mutex
	signUps, deleted := 0, ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Username string }
		json.NewDecoder(r.Body).Decode(&in)
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.") {
		case "SignUp":
			if signUps++; signUps == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, `{"__type":"InternalErrorException","message":"internal error"}`)
				return
			}
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"UsernameExistsException","message":"User already exists"}`)
		case "AdminGetUser":
			fmt.Fprintf(w, `{"Username":%q,"UserStatus":"CONFIRMED","Enabled":true,"UserAttributes":[{"Name":"email_verified","Value":"true"}]}`, in.Username)
		case "AdminDeleteUser":
			deleted = in.Username
			fmt.Fprint(w, `{}`)
		default:
			fmt.Fprint(w, `{"Users":[]}`)
		}
	}))
	defer srv.Close()
	p, namer, in := poolAt(srv.URL, "r1", "secret")
	obs, err := p.Run(context.Background(), in)
	if err != nil {
		t.Fatalf("the retried sign-up failed the scenario: %v", err)
	}
	if signUps != 2 || obs.Confirmed == nil || !*obs.Confirmed || !*obs.EmailVerified {
		t.Errorf("%d SignUps; observed %+v", signUps, obs)
	}
	if err := p.Cleanup(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(deleted, namer.Prefix()) {
		t.Errorf("the run did not delete its own user: deleted %q", deleted)
	}
}

// TestPoolThatMayNotInvokeItsTrigger: Cognito's AccessDeniedException for
// the trigger is a setup error that names the permission to grant, not a
// refusal of the sign-up.
func TestPoolThatMayNotInvokeItsTrigger(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.") {
		case "SignUp":
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"UnexpectedLambdaException","message":"PreSignUp invocation failed due to error AccessDeniedException."}`)
		default:
			fmt.Fprint(w, `{"Users":[]}`)
		}
	}))
	defer srv.Close()
	p, _, in := poolAt(srv.URL, "r2", "")
	p.Trigger = "arn:aws:lambda:us-east-1:123456789012:function:presignup"
	obs, err := p.Run(context.Background(), in)
	if !errors.Is(err, ErrSetup) || obs != nil {
		t.Fatalf("observed %+v, error %v; want ErrSetup", obs, err)
	}
	for _, want := range []string{"lambda:InvokeFunction", "cognito-idp.amazonaws.com", "--function-name " + p.Trigger} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %q: %v", want, err)
		}
	}
}

// poolAt is the pool target against a fake Cognito at url, with one
// ordinary sign-up to run.
func poolAt(url, runID, secret string) (*Pool, *Namer, *Input) {
	api := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), Retryer: LiveRetry()})
	namer, _ := NewNamer(runID)
	p := NewPool(api, "client", secret, LiveOptions{PoolID: pool, Namer: namer, Concurrency: 2, Policy: handler.PolicyAllow})
	in := &Input{Fixture: "email-only", Event: []byte(`{"version":"1","triggerSource":"PreSignUp_SignUp","region":"us-east-1","userPoolId":"p","userName":"u","callerContext":{"awsSdkVersion":"x","clientId":"c"},"request":{"userAttributes":{"email":"sam@example.com"}},"response":{}}`)}
	return p, namer, in
}

// TestScenarioForKeepsValues: a keyed sign-up sent again gets the values
// it got the first time; another key, or none, gets values of its own.
func TestScenarioForKeepsValues(t *testing.T) {
	n, _ := NewNamer("r1")
	first := n.ScenarioFor("case-1").Value("email", "sam@example.com")
	again := n.ScenarioFor("case-1").Value("email", "sam@example.com")
	other := n.ScenarioFor("case-2").Value("email", "sam@example.com")
	fresh := n.ScenarioFor("").Value("email", "sam@example.com")
	if first != again || first == other || first == fresh || other == fresh {
		t.Errorf("first %q, again %q, another key %q, no key %q", first, again, other, fresh)
	}
}

// TestUnansweredIsASetupError: a pool or function endpoint that refuses
// the connection stops the run as a setup error, never a verdict on the
// handler; an interrupted run's calls stay what they are (red team round
// 24: cognito-local ended mid-run and a correct handler failed confirm).
func TestUnansweredIsASetupError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	gone := srv.URL
	srv.Close()
	creds := credentials.NewStaticCredentialsProvider("a", "b", "")
	api := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(gone), Credentials: creds, RetryMaxAttempts: 1})
	fn := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(gone), Credentials: creds, RetryMaxAttempts: 1})
	event := []byte(`{"triggerSource":"PreSignUp_SignUp","userPoolId":"p","userName":"u","request":{"userAttributes":{"email":"sam@example.com"}},"response":{}}`)
	live := func() LiveOptions {
		n, _ := NewNamer("r1")
		return LiveOptions{PoolID: pool, Namer: n, Concurrency: 1, Policy: handler.PolicySkipVerify, Lookup: handler.LookupAdminGetUser}
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range []struct {
		name  string
		ctx   context.Context
		tgt   Target
		setup bool
	}{
		{"pool", context.Background(), NewPool(api, "client", "", live()), true},
		{"lambda", context.Background(), NewLambda(fn, "f", api, live()), true},
		{"lambda, no pool", context.Background(), NewLambda(fn, "f", nil, LiveOptions{Policy: handler.PolicyAllow}), true},
		{"pool, interrupted", canceled, NewPool(api, "client", "", live()), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.tgt.Run(tt.ctx, &Input{Event: event, Tags: []string{"@confirm"}})
			if err == nil || errors.Is(err, ErrSetup) != tt.setup {
				t.Errorf("Run: %v; want a setup error: %t", err, tt.setup)
			}
		})
	}
}

// TestRunsBesideNeverMeet: two runs side by side on one pool, as local's
// depths run, keep their values apart, shape kept, though their scenarios
// name the same fixture values in the same order; their usernames differ.
func TestRunsBesideNeverMeet(t *testing.T) {
	a, _ := NewNamer("")
	a.KeepShape()
	b, err := a.Beside()
	if err != nil || !b.Shaped() || a.Prefix() == b.Prefix() {
		t.Fatalf("beside: %v, shaped %t, prefixes %q %q", err, b.Shaped(), a.Prefix(), b.Prefix())
	}
	seen := map[string]string{}
	for i := range 50 {
		for _, n := range []*Namer{a, b} {
			d := n.Scenario()
			for _, v := range []string{d.Value("email", "pat.doe@example.com"), d.Value("phone_number", "+12065550100")} {
				if who, ok := seen[v]; ok {
					t.Fatalf("scenario %d: %q given to %s and %s", i, v, who, n.RunID())
				}
				seen[v] = n.RunID()
			}
		}
	}
}
