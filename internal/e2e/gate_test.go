//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/localstack"
)

// summaryFailed reads "N failed" from the runner's scenario summary.
var summaryFailed = regexp.MustCompile(`(?m)^\d+ scenarios \((?:.*, )?(\d+) failed\)$`)

// TestGate proves the gate tells implementations apart: against the local
// pool, the reference implementation must pass at pool and lambda depth, and
// every broken one must have failed scenarios. A verdict of "caught" counts
// failed scenarios, never a stack that crashed.
func TestGate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	dir := t.TempDir()
	runner := gobuild(t, ctx, dir, "cmd/autoconfirm-conformance", false)
	built := map[string]string{}
	for _, s := range []struct {
		name, pkg, fault string
		correct          bool
	}{
		{"reference", "testdata/impls/reference", "", true},
		{"article", "testdata/impls/article", "", false},
		{"noguard", "testdata/impls/reference", "noguard", false},
		{"wrongsource", "testdata/impls/reference", "wrongsource", false},
		{"looseverify", "testdata/impls/reference", "looseverify", false},
		{"rewrite", "testdata/impls/reference", "rewrite", false},
	} {
		t.Run(s.name, func(t *testing.T) {
			bin, ok := built[s.pkg]
			if !ok {
				bin = gobuild(t, ctx, dir, s.pkg, true)
				built[s.pkg] = bin
			}
			st, err := localstack.Start(ctx, localstack.Options{Root: root(t), Bootstrap: bin, Env: []string{"REFERENCE_FAULT=" + s.fault, "ALIAS_LOOKUP=list-users"}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(st.Close)
			failed := 0
			for _, target := range []string{"pool", "lambda"} {
				args := []string{"--target", target, "--pool-id", st.PoolID, "--alias-lookup", "list-users", "--emulator", "cognito-local",
					"--tags", "~@autoconfirm-contract", "--format", "progress", "--concurrency", "4", "--no-colors"}
				if target == "pool" {
					args = append(args, "--client-id", st.ClientID)
				} else {
					args = append(args, "--function", "PreSignUp")
				}
				cmd := exec.CommandContext(ctx, runner, args...)
				cmd.Env = append(os.Environ(), "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
					"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+st.CognitoURL, "AWS_ENDPOINT_URL_LAMBDA="+st.GatewayURL,
					"COGNITO_CLIENT_SECRET="+st.Secret, "ALIAS_POLICY=", "ALIAS_LOOKUP=")
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				err := cmd.Run()
				var exit *exec.ExitError
				if err != nil && !errors.As(err, &exit) {
					t.Fatalf("%s target: the runner did not run: %v", target, err)
				}
				n := 0
				if m := summaryFailed.FindStringSubmatch(out.String()); m != nil {
					n, _ = strconv.Atoi(m[1])
				}
				switch {
				case exit != nil && exit.ExitCode() != 1:
					t.Errorf("%s target: exit %d, which is not a verdict:\n%s", target, exit.ExitCode(), out.Bytes())
				case (exit != nil) != (n > 0):
					t.Errorf("%s target: exit status and the %d failed scenarios disagree:\n%s", target, n, out.Bytes())
				}
				t.Logf("%s target: %d scenarios failed", target, n)
				failed += n
			}
			if s.correct && failed > 0 {
				t.Errorf("%s is correct, but %d scenarios failed", s.name, failed)
			}
			if !s.correct && failed == 0 {
				t.Errorf("%s is broken, but no scenario failed", s.name)
			}
		})
	}
}
