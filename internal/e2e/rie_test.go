//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/handler/cognito"
	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
	"github.com/autoconfirm/autoconfirm/internal/local/rie"
)

const poolID = "us-east-1_Example01"

// fakeEnv points a bootstrap's SDK at a fake pool.
func fakeEnv(url string) []string {
	return []string{"AWS_ENDPOINT_URL=" + url, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=local-only", "AWS_SESSION_TOKEN=", "AWS_PROFILE=", "LOG_LEVEL=error"}
}

// TestBootstrapUnderRIE runs the built bootstrap under the Lambda Runtime
// Interface Emulator: every fixture and some hostile payloads must give the
// bytes (or the error) the in-process handler gives, and the process must keep
// serving after each.
func TestBootstrapUnderRIE(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := rie.Binary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fake := cognitofake.New()
	defer fake.Close()
	fake.CreatePool(poolID, cognitofake.DefaultPoolConfig)
	var logs bytes.Buffer
	proc, err := rie.Start(ctx, bin, bootstrap(t), fakeEnv(fake.URL), &logs)
	if err != nil {
		t.Fatal(err)
	}
	defer proc.Stop()
	client := cognito.NewClient(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "local-only", "")})
	want, err := handler.New(handler.DefaultConfig(), cognito.NewDirectory(client), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	content := autoconfirm.Content()
	type payload struct {
		name string
		body []byte
	}
	var cases []payload
	for _, dir := range []string{"fixtures", "fixtures/bad"} {
		files, _ := fs.Glob(content, dir+"/*.json")
		for _, f := range files {
			b, _ := fs.ReadFile(content, f)
			cases = append(cases, payload{path.Join(path.Base(dir), path.Base(f)), b})
		}
	}
	for _, p := range []string{``, `null`, `[]`, `{`, `"PreSignUp_SignUp"`, `{"triggerSource":"PostConfirmation_ConfirmSignUp"}`} {
		cases = append(cases, payload{fmt.Sprintf("inline %q", p), []byte(p)})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exp, expErr := want.Invoke(ctx, tc.body)
			got, err := proc.Invoke(ctx, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case expErr != nil && !got.FunctionError:
				t.Errorf("want the error %q, got %.200s", expErr, got.Body)
			case expErr != nil && gjson.GetBytes(got.Body, "errorMessage").Str != expErr.Error():
				t.Errorf("error message\n got %s\nwant %q", got.Body, expErr)
			case expErr == nil && got.FunctionError:
				t.Errorf("unexpected error %s", got.Body)
			case expErr == nil && !bytes.Equal(got.Body, exp):
				t.Errorf("bytes differ\n got %.300s\nwant %.300s", got.Body, exp)
			}
			if !proc.Alive() {
				t.Fatalf("the function died\n%s", logs.Bytes())
			}
		})
	}
	if len(fake.UserCalls()) == 0 {
		t.Error("dist/bootstrap made no lookup through AWS_ENDPOINT_URL")
	}
}

// TestBootstrapPolicies runs the bootstrap once per policy and lookup mode
// against a pool where another user has verified the sign-up's email address
// and holds no phone number.
func TestBootstrapPolicies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin, err := rie.Binary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	event, _ := fs.ReadFile(autoconfirm.Content(), "fixtures/alias-both.json")
	const email, phone = "chris.lee@example.com", "+15555550143"
	refusal := "sign-up refused: the email address cannot be used because another account already uses it"
	tests := []struct {
		policy, lookup string
		email          bool
		calls          []string // the user lookups, sorted
		refused        string
	}{
		{"skip-verify", "", false, []string{"AdminGetUser " + phone, "AdminGetUser " + email}, ""},
		{"reject", "", false, []string{"AdminGetUser " + phone, "AdminGetUser " + email}, refusal},
		{"allow", "", true, nil, ""},
		{"skip-verify", "list-users", false, []string{`ListUsers email = "` + email + `"`, `ListUsers phone_number = "` + phone + `"`}, ""},
		{"reject", "list-users", false, []string{`ListUsers email = "` + email + `"`, `ListUsers phone_number = "` + phone + `"`}, refusal},
	}
	for _, tt := range tests {
		t.Run(tt.policy+"/"+tt.lookup, func(t *testing.T) {
			fake := cognitofake.New()
			defer fake.Close()
			fake.Seed(poolID, cognitofake.User{Username: "holder", Enabled: true, Attributes: []cognitofake.Attribute{
				{Name: "sub", Value: "holder-sub"}, {Name: "email", Value: "Chris.Lee@example.com"}, {Name: "email_verified", Value: "true"}}})
			env := append(fakeEnv(fake.URL), "ALIAS_POLICY="+tt.policy, "ALIAS_LOOKUP="+tt.lookup)
			var logs bytes.Buffer
			proc, err := rie.Start(ctx, bin, bootstrap(t), env, &logs)
			if err != nil {
				t.Fatal(err)
			}
			res, err := proc.Invoke(ctx, event)
			proc.Stop()
			if err != nil {
				t.Fatal(err)
			}
			var calls []string
			describes := 0
			for _, c := range fake.Calls() {
				switch {
				case c.PoolID != poolID:
					t.Errorf("a call for another pool: %+v", c)
				case c.Op == cognitofake.OpDescribeUserPool:
					describes++
				case c.Op == cognitofake.OpAdminGetUser:
					calls = append(calls, "AdminGetUser "+c.Username)
				default:
					calls = append(calls, "ListUsers "+c.Filter)
				}
			}
			if tt.refused != "" {
				if msg := gjson.GetBytes(res.Body, "errorMessage").Str; !res.FunctionError || msg != tt.refused {
					t.Errorf("want the refusal %q, got %s", tt.refused, res.Body)
				}
			} else {
				r := gjson.GetBytes(res.Body, "response")
				if !r.Get("autoConfirmUser").Bool() || r.Get("autoVerifyEmail").Bool() != tt.email || !r.Get("autoVerifyPhone").Bool() {
					t.Errorf("response %s\n%s", r.Raw, logs.Bytes())
				}
			}
			slices.Sort(calls)
			if !slices.Equal(calls, tt.calls) {
				t.Errorf("lookups %q, want %q", calls, tt.calls)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.calls != nil]; describes != want {
				t.Errorf("%d DescribeUserPool calls, want %d", describes, want)
			}
		})
	}
}
