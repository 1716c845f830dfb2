//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/autoconfirm/autoconfirm/internal/local/stack"
)

// TestPreflightRefusesSetupErrors: a run against a pool that cannot judge
// anything is a setup error, exit 2, that says what to fix, before any
// scenario: an app client that does not exist, and a pool without a pre
// sign-up trigger.
func TestPreflightRefusesSetupErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	runner, st, bootstrap := referenceStack(t, ctx)
	bare, err := st.API.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("without-a-trigger")})
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(other, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	pool := []string{"--target", "pool", "--pool-id", st.PoolID, "--client-id", st.ClientID}
	lambda := []string{"--target", "lambda", "--pool-id", st.PoolID, "--function", stack.FunctionName}
	for _, tt := range []struct {
		name string
		args []string
		want string
		exit int
	}{
		{"an app client that does not exist", []string{"--target", "pool", "--pool-id", st.PoolID, "--client-id", "nosuchclient0000000000000"}, "the app client nosuchclient0000000000000 does not exist", 2},
		{"a pool without a pre sign-up trigger", []string{"--target", "pool", "--pool-id", aws.ToString(bare.UserPool.Id), "--client-id", st.ClientID}, "has no pre sign-up trigger", 2},
		{"a pool that calls another function", append(pool, "--expect-function", "Other"), "the pool calls another function: its PreSignUp trigger is " + stack.FunctionARN + ", not Other", 2},
		{"a pool that calls $LATEST where an alias was deployed", append(pool, "--expect-function", "PreSignUp:live"), "with no version or alias ($LATEST), where PreSignUp:live was expected", 2},
		{"a pool whose trigger runs other code", append(pool, "--expect-code", other), "the function runs other code: Lambda says " + stack.FunctionARN + " runs CodeSha256", 2},
		{"a function that runs other code", append(lambda, "--expect-code", other), "the function runs other code", 2},
		{"a pool without a trigger, where one was expected", []string{"--target", "pool", "--pool-id", aws.ToString(bare.UserPool.Id), "--client-id", st.ClientID, "--expect-function", "PreSignUp"}, "has no pre sign-up trigger", 2},
		{"the pool calls the function, which runs the code judged", append(pool, "--expect-function", stack.FunctionARN, "--expect-code", bootstrap, "--tags", "@signup", "--profile", "confirm"),
			"the function runs the expected code", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(ctx, runner, append(tt.args, "--format", "progress")...)
			cmd.Env = append(os.Environ(), "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
				"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+st.CognitoURL, "AWS_ENDPOINT_URL_LAMBDA="+st.GatewayURL,
				"COGNITO_CLIENT_SECRET="+st.Secret, "PROFILE=", "TAGS=")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != tt.exit || !strings.Contains(out.String(), tt.want) {
				t.Errorf("exit %d, want %d saying %q:\n%s", code, tt.exit, tt.want, out.String())
			}
		})
	}
}

// TestRunnerPolicies: the policies under deploy/iam grant each target the
// actions the runner calls, and no others. The runner reaches the local
// stack through a proxy that names each call's IAM action; SignUp and
// InitiateAuth are public APIs and need none.
func TestRunnerPolicies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	runner, st, bootstrap := referenceStack(t, ctx)
	var mu sync.Mutex
	var called map[string]bool
	record := func(action string) {
		mu.Lock()
		called[action] = true
		mu.Unlock()
	}
	proxy := func(to, service string) string {
		u, _ := url.Parse(to)
		rp := httputil.NewSingleHostReverseProxy(u)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch service {
			case "cognito-idp":
				op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
				if op != "SignUp" && op != "InitiateAuth" {
					record("cognito-idp:" + op)
				}
			case "lambda":
				switch {
				case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/invocations"):
					record("lambda:InvokeFunction")
				case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/configuration"):
					record("lambda:GetFunctionConfiguration")
				default:
					record("lambda:" + r.Method + " " + r.URL.Path)
				}
			}
			rp.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	cognitoURL, lambdaURL := proxy(st.CognitoURL, "cognito-idp"), proxy(st.GatewayURL, "lambda")
	env := append(os.Environ(), "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+cognitoURL, "AWS_ENDPOINT_URL_LAMBDA="+lambdaURL,
		"COGNITO_CLIENT_SECRET="+st.Secret, "PROFILE=", "TAGS=")
	// autoconfirm-local, as local runs it, takes its endpoints from flags.
	emulator := []string{"--emulator", "autoconfirm-local", "--cognito-endpoint", cognitoURL, "--lambda-endpoint", lambdaURL}
	for _, tt := range []struct {
		policy string
		args   []string
	}{
		{"runner-pool.json", append([]string{"--target", "pool", "--pool-id", st.PoolID, "--client-id", st.ClientID, "--expect-code", bootstrap, "--tags", "@alias"}, emulator...)},
		{"runner-lambda.json", append([]string{"--target", "lambda", "--pool-id", st.PoolID, "--function", stack.FunctionName, "--expect-code", bootstrap, "--tags", "@alias"}, emulator...)},
		{"runner-cleanup.json", []string{"cleanup", "--pool-id", st.PoolID}},
	} {
		t.Run(tt.policy, func(t *testing.T) {
			if tt.args[0] == "cleanup" { // a leftover for it to delete
				if _, err := st.API.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(st.PoolID), Username: aws.String("autoconfirm-test-left-s1-new"), MessageAction: ciptypes.MessageActionTypeSuppress}); err != nil {
					t.Fatal(err)
				}
			}
			called = map[string]bool{}
			cmd := exec.CommandContext(ctx, runner, tt.args...)
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			b, err := os.ReadFile(filepath.Join(root(t), "deploy", "iam", tt.policy))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Statement []struct{ Action []string }
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatalf("%s: %v", tt.policy, err)
			}
			granted := map[string]bool{}
			for _, s := range doc.Statement {
				for _, a := range s.Action {
					granted[a] = true
				}
			}
			for a := range called {
				if !granted[a] {
					t.Errorf("the runner calls %s, which %s does not grant", a, tt.policy)
				}
			}
			for a := range granted {
				if !called[a] {
					t.Errorf("%s grants %s, which the runner never called", tt.policy, a)
				}
			}
		})
	}
}
