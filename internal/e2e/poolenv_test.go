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
)

// TestPoolFromEnvironment: a handler that reads its pool's id from
// USER_POOL_ID, as SAM and CDK wire one, is judged against the local pool
// when --env gives it @pool-id or its template names its own pool; given
// another pool's id, the run ends as a setup error naming the fix, never as
// a verdict on the handler.
func TestPoolFromEnvironment(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	const code = "testdata/impls/poolenv-node"
	t.Run("--env USER_POOL_ID=@pool-id", func(t *testing.T) {
		im := impl{name: "Node.js, its pool from USER_POOL_ID", runtime: "nodejs22.x", code: code, env: []string{"USER_POOL_ID=@pool-id"},
			want: verdicts(pass, pass, pass, pass, pass)}
		got, out := runLocal(t, ctx, runner, im, code)
		for p, want := range im.want {
			if got[p] != want {
				t.Errorf("profile %s: %s, want %s", p, got[p], want)
			}
		}
		if t.Failed() {
			t.Logf("the run said:\n%s", gist(out))
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		exit int
		want []string
		not  []string
	}{
		{name: "a template's !Ref UserPool", args: []string{"--template", "testdata/templates/poolenv/template.yaml"}, exit: 0,
			want: []string{"local: the template's own user pool is the local one: CLIENT_ID (!Ref UserPoolClient) is the local app client's id, USER_POOL_ARN (!GetAtt UserPool.Arn) is its ARN, USER_POOL_ID (!Ref UserPool) is the local pool's id", "local: PASS"}},
		{name: "another pool's id", args: []string{"--runtime", "nodejs22.x", "--code", code, "--env", "USER_POOL_ID=us-east-1_wrong"}, exit: 2,
			want: []string{"the handler called Cognito's AdminGetUser for user pool us-east-1_wrong, which is not the pool under test",
				"USER_POOL_ID holds us-east-1_wrong: give --env USER_POOL_ID=@pool-id"},
			not: []string{"VERDICT", "local: FAIL", "local: PASS", "check --code, --handler"}},
		// Cognito names the pool's region and the calling app client in each
		// event, at both depths (rules §21).
		{name: "its own region and app client", args: []string{"--runtime", "nodejs22.x", "--code", "testdata/impls/clientpinned-node",
			"--env", "WEB_CLIENT_ID=@client-id", "--profile", "cognito,confirm"}, exit: 0,
			want: []string{"local: PASS"}, not: []string{"are closed", "not this function's"}},
		{name: "no --env: the call names no pool", args: []string{"--runtime", "nodejs22.x", "--code", code}, exit: 2,
			want: []string{"the handler called Cognito's AdminGetUser naming no user pool", "--env NAME=@pool-id"},
			not:  []string{"VERDICT", "local: FAIL", "local: PASS", "User Pool  not found"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reports := t.TempDir()
			cmd := exec.CommandContext(ctx, runner, append([]string{"local", "--report-dir", reports}, tt.args...)...)
			cmd.Dir = root(t)
			cmd.Env = append(os.Environ(), "PROFILE=", "TAGS=", "ALIAS_POLICY=", "ALIAS_LOOKUP=")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != tt.exit {
				t.Errorf("exit %d, want %d", code, tt.exit)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("the output lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out.String(), n) {
					t.Errorf("the output has %q", n)
				}
			}
			if n := strings.Count(out.String(), "the template's own user pool is the local one"); n > 1 {
				t.Errorf("the run said %d times that it resolved the template's pool", n)
			}
			if tt.exit == 2 {
				if _, err := os.Stat(filepath.Join(reports, "run.json")); err == nil {
					t.Error("a setup error recorded a verdict in run.json")
				}
			}
			if t.Failed() {
				t.Logf("the run said:\n%s", out.String())
			}
		})
	}
}
