//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// TestPreflightRefusesSetupErrors: a run against a pool that cannot judge
// anything is a setup error, exit 2, that says what to fix, before any
// scenario: an app client that does not exist, and a pool without a pre
// sign-up trigger.
func TestPreflightRefusesSetupErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	runner, st := referenceStack(t, ctx)
	bare, err := st.API.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("without-a-trigger")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, pool, client, want string
	}{
		{"an app client that does not exist", st.PoolID, "nosuchclient0000000000000", "the app client nosuchclient0000000000000 does not exist"},
		{"a pool without a pre sign-up trigger", aws.ToString(bare.UserPool.Id), st.ClientID, "has no pre sign-up trigger"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(ctx, runner, "--target", "pool", "--pool-id", tt.pool, "--client-id", tt.client, "--format", "progress")
			cmd.Env = append(os.Environ(), "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
				"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+st.CognitoURL, "COGNITO_CLIENT_SECRET="+st.Secret, "PROFILE=", "TAGS=")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(out.String(), tt.want) {
				t.Errorf("exit %d, want 2 saying %q:\n%s", code, tt.want, out.String())
			}
		})
	}
}
