//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
	"github.com/autoconfirm/autoconfirm/internal/local/gateway"
	"github.com/autoconfirm/autoconfirm/internal/local/stack"
)

// TestInterruptLeavesNoUser proves the cleanup on SIGINT: with the trigger
// slowed down, a pool run is interrupted as soon as test users exist, and the
// runner must exit 130 and leave no test user in the pool.
func TestInterruptLeavesNoUser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	runner, st, _ := referenceStack(t, ctx)
	st.Gateway.SetDelay(300 * time.Millisecond)
	cmd := exec.Command(runner, "--target", "pool", "--pool-id", st.PoolID, "--client-id", st.ClientID, "--alias-lookup", "list-users",
		"--tags", "@alias", "--profile", "all", "--concurrency", "2", "--format", "progress", "--no-colors")
	cmd.Env = append(os.Environ(), "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+st.CognitoURL, "COGNITO_CLIENT_SECRET="+st.Secret, "PROFILE=", "TAGS=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	seen, err := 0, error(nil)
	for deadline := time.Now().Add(20 * time.Second); seen == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if seen, err = st.TestUsers(ctx); err != nil {
			cmd.Process.Kill()
			<-done
			t.Fatal(err)
		}
	}
	if seen == 0 {
		cmd.Process.Kill()
		<-done
		t.Fatalf("the run created no user within 20s:\n%s", out.Bytes())
	}
	cmd.Process.Signal(os.Interrupt)
	err = <-done
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	}
	left, err := st.TestUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("SIGINT with %d test user(s) in the pool mid-scenario; the runner exited %d and left %d", seen, code, left)
	if code != 130 || left != 0 {
		t.Errorf("want exit 130 and no user left, got exit %d and %d left\n%s", code, left, out.Bytes())
	}
}

// referenceStack builds the runner, and starts a local stack whose trigger
// is the reference handler; the test's cleanup stops it.
func referenceStack(t *testing.T, ctx context.Context) (runner string, st *stack.Stack, bootstrap string) {
	t.Helper()
	dir := t.TempDir()
	runner = gobuild(t, ctx, dir, "cmd/autoconfirm-conformance", false)
	bin := gobuild(t, ctx, dir, "testdata/impls/reference", true)
	id, err := codezip.Of(bin)
	if err != nil {
		t.Fatal(err)
	}
	st, err = stack.Start(ctx, stack.Options{Root: root(t), Bootstrap: bin,
		Function: &gateway.Configuration{Runtime: "provided.al2023", Handler: "bootstrap", CodeSha256: id.CodeSha256, PackageType: "Zip", Architectures: []string{"x86_64"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return runner, st, bin
}
