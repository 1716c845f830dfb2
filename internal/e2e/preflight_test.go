//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

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
