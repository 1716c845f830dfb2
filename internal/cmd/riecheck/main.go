// Command riecheck runs dist/bootstrap under the Lambda Runtime Interface
// Emulator and checks it against the in-process handler: every fixture and a
// set of hostile payloads must give the same bytes (or the same error), the
// process must keep serving after each, and the alias guard must reach a
// Cognito-protocol fake through AWS_ENDPOINT_URL.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/cognito"
	"github.com/autoconfirm/autoconfirm/cognitofake"
	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/internal/rie"
)

func main() {
	bootstrap := flag.String("bootstrap", "dist/bootstrap", "the Lambda binary to run")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, *bootstrap); err != nil {
		fmt.Fprintln(os.Stderr, "rie-check: FAIL:", err)
		os.Exit(1)
	}
}

type testCase struct {
	name    string
	payload []byte
}

func cases() ([]testCase, error) {
	var out []testCase
	content := autoconfirm.Content()
	for _, dir := range []string{"fixtures", "fixtures/bad"} {
		files, _ := fs.Glob(content, dir+"/*.json")
		for _, f := range files {
			b, err := fs.ReadFile(content, f)
			if err != nil {
				return nil, err
			}
			out = append(out, testCase{path.Join(path.Base(dir), path.Base(f)), b})
		}
	}
	for _, p := range []string{``, `null`, `[]`, `{`, `"PreSignUp_SignUp"`, `{"triggerSource":"PostConfirmation_ConfirmSignUp"}`} {
		out = append(out, testCase{"inline " + fmt.Sprintf("%q", p), []byte(p)})
	}
	return out, nil
}

func run(ctx context.Context, bootstrap string) error {
	fake := cognitofake.New()
	defer fake.Close()
	fake.CreatePool("us-east-1_Example01", cognitofake.DefaultPoolConfig)
	env := []string{
		"AWS_ENDPOINT_URL=" + fake.URL,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=local-only",
		"AWS_SESSION_TOKEN=",
		"AWS_PROFILE=",
		"LOG_LEVEL=error",
	}
	bin, err := rie.Binary(ctx)
	if err != nil {
		return err
	}
	var logs bytes.Buffer // shown only on failure
	proc, err := rie.Start(ctx, bin, bootstrap, env, &logs)
	if err != nil {
		return err
	}
	defer proc.Stop()

	client := cognito.NewClient(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "local-only", "")})
	want, err := handler.New(handler.DefaultConfig(), cognito.NewDirectory(client), slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	all, err := cases()
	if err != nil {
		return err
	}
	failed := 0
	for _, tc := range all {
		if err := compare(ctx, proc, want, tc); err != nil {
			failed++
			fmt.Printf("  FAIL %s: %v\n", tc.name, err)
		}
		if !proc.Alive() {
			return fmt.Errorf("the function died after %s", tc.name)
		}
	}
	calls := len(fake.Calls())
	if len(fake.UserCalls()) == 0 {
		failed++
		fmt.Println("  FAIL alias guard: dist/bootstrap made no lookup through AWS_ENDPOINT_URL")
	}
	proc.Stop()
	n, err := checkPolicies(ctx, bin, bootstrap, env)
	if err != nil {
		return err
	}
	failed += n
	fmt.Printf("rie-check: %d payloads through %s under the emulator, %d differ from the in-process handler; %d calls reached the fake; the process is alive\n",
		len(all), bootstrap, failed, calls)
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "emulator and function output:\n%s\n", logs.Bytes())
		return fmt.Errorf("%d check(s) failed", failed)
	}
	return nil
}

// checkPolicies runs the binary once per ALIAS_POLICY and lookup mode against
// a pool where another user has verified the sign-up's email address and holds
// no phone number.
func checkPolicies(ctx context.Context, bin, bootstrap string, env []string) (failed int, err error) {
	event, _ := fs.ReadFile(autoconfirm.Content(), "fixtures/alias-both.json")
	const email, phone = "chris.lee@example.com", "+15555550143"
	tests := []struct {
		policy, lookup string
		email          bool
		calls          []string // the user lookups, sorted
		refused        string
	}{
		{"skip-verify", "", false, []string{"AdminGetUser " + phone, "AdminGetUser " + email}, ""},
		{"reject", "", false, []string{"AdminGetUser " + phone, "AdminGetUser " + email}, "sign-up refused: the email address cannot be used because another account already uses it"},
		{"allow", "", true, nil, ""},
		{"skip-verify", "list-users", false, []string{`ListUsers email = "` + email + `"`, `ListUsers phone_number = "` + phone + `"`}, ""},
		{"reject", "list-users", false, []string{`ListUsers email = "` + email + `"`, `ListUsers phone_number = "` + phone + `"`}, "sign-up refused: the email address cannot be used because another account already uses it"},
	}
	for _, tt := range tests {
		fake := cognitofake.New()
		fake.Seed("us-east-1_Example01", cognitofake.User{Username: "holder", Enabled: true, Attributes: []cognitofake.Attribute{
			{Name: "sub", Value: "holder-sub"}, {Name: "email", Value: "Chris.Lee@example.com"}, {Name: "email_verified", Value: "true"}}})
		penv := append(append([]string{}, env...), "ALIAS_POLICY="+tt.policy, "ALIAS_LOOKUP="+tt.lookup, "AWS_ENDPOINT_URL="+fake.URL)
		var logs bytes.Buffer
		proc, err := rie.Start(ctx, bin, bootstrap, penv, &logs)
		if err != nil {
			fake.Close()
			return failed, err
		}
		res, err := proc.Invoke(ctx, event)
		proc.Stop()
		var calls []string
		describes := 0
		for _, c := range fake.Calls() {
			switch {
			case c.PoolID != "us-east-1_Example01":
				calls = append(calls, "a call for another pool: "+c.PoolID)
			case c.Op == cognitofake.OpDescribeUserPool:
				describes++
			case c.Op == cognitofake.OpAdminGetUser:
				calls = append(calls, "AdminGetUser "+c.Username)
			default:
				calls = append(calls, "ListUsers "+c.Filter)
			}
		}
		fake.Close()
		if err != nil {
			return failed, err
		}
		var problems []string
		if tt.refused != "" {
			if msg := gjson.GetBytes(res.Body, "errorMessage").Str; !res.FunctionError || msg != tt.refused {
				problems = append(problems, fmt.Sprintf("want the refusal %q, got %s", tt.refused, res.Body))
			}
		} else {
			r := gjson.GetBytes(res.Body, "response")
			if !r.Get("autoConfirmUser").Bool() || r.Get("autoVerifyEmail").Bool() != tt.email || !r.Get("autoVerifyPhone").Bool() {
				problems = append(problems, "response "+r.Raw)
			}
		}
		slices.Sort(calls)
		if !slices.Equal(calls, tt.calls) {
			problems = append(problems, fmt.Sprintf("lookups %q, want %q", calls, tt.calls))
		}
		if want := map[bool]int{true: 1, false: 0}[tt.calls != nil]; describes != want {
			problems = append(problems, fmt.Sprintf("%d DescribeUserPool calls, want %d", describes, want))
		}
		status := "ok"
		if len(problems) > 0 {
			failed++
			status = "FAIL " + fmt.Sprint(problems) + "\n" + logs.String()
		}
		fmt.Printf("  ALIAS_POLICY=%-11s ALIAS_LOOKUP=%-14s %d lookup(s), %d DescribeUserPool: %s\n", tt.policy, tt.lookup, len(calls), describes, status)
	}
	return failed, nil
}

func compare(ctx context.Context, proc *rie.Proc, want *handler.Handler, tc testCase) error {
	exp, expErr := want.Invoke(ctx, tc.payload)
	got, err := proc.Invoke(ctx, tc.payload)
	if err != nil {
		return err
	}
	if expErr != nil {
		if !got.FunctionError {
			return fmt.Errorf("want the error %q, got %.200s", expErr, got.Body)
		}
		if msg := gjson.GetBytes(got.Body, "errorMessage").Str; msg != expErr.Error() {
			return fmt.Errorf("error message\n got %q\nwant %q", msg, expErr)
		}
		return nil
	}
	if got.FunctionError {
		return fmt.Errorf("unexpected error %s", got.Body)
	}
	if !bytes.Equal(got.Body, exp) {
		return fmt.Errorf("bytes differ\n got %.300s\nwant %.300s", got.Body, exp)
	}
	return nil
}
