//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// verdict is what a profile's scenarios came to in one run.
type verdict string

const (
	pass verdict = "pass"
	fail verdict = "fail"
)

// impl is a handler the gate judges, with the verdict each claimed profile
// must get. Every handler here was written for this test, in the styles
// people deploy; none is autoconfirm's own code.
type impl struct {
	name, runtime, code, handler string
	pkg                          string // a Go package to build into code/bootstrap
	env                          []string
	extra                        []string // more arguments to local
	want                         map[string]verdict
}

var three = []string{"cognito", "auto-confirm", "alias-safe"}

func verdicts(v ...verdict) map[string]verdict {
	m := map[string]verdict{}
	for i, p := range three {
		m[p] = v[i]
	}
	return m
}

// TestGate runs each handler through `autoconfirm-conformance local`, as a
// team would, and checks the verdict per profile. A profile fails only when
// some of its scenarios failed, and passes only when none failed and some
// passed; an exit status that is not a verdict (a stack that did not start)
// fails the test, never counts as caught.
func TestGate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	dir := t.TempDir()
	runner := gobuild(t, ctx, dir, "cmd/autoconfirm-conformance", false)
	impls := []impl{
		{name: "reference", runtime: "provided.al2023", pkg: "testdata/impls/reference", want: verdicts(pass, pass, pass)},
		{name: "reference, without a guard", runtime: "provided.al2023", pkg: "testdata/impls/reference", env: []string{"REFERENCE_FAULT=noguard"}, want: verdicts(pass, pass, fail)},
		{name: "reference, verifying any non-empty value", runtime: "provided.al2023", pkg: "testdata/impls/reference", env: []string{"REFERENCE_FAULT=looseverify"}, want: verdicts(fail, pass, pass)},
		// These differ from autoconfirm only where Cognito does not look.
		{name: "reference, flags on every source", runtime: "provided.al2023", pkg: "testdata/impls/reference", env: []string{"REFERENCE_FAULT=wrongsource"}, want: verdicts(pass, pass, pass)},
		{name: "reference, rewriting the request", runtime: "provided.al2023", pkg: "testdata/impls/reference", env: []string{"REFERENCE_FAULT=rewrite"},
			extra: []string{"--profile", "cognito,auto-confirm,alias-safe,autoconfirm"}, want: map[string]verdict{"cognito": pass, "auto-confirm": pass, "alias-safe": pass, "autoconfirm": fail}},
		{name: "typed aws-lambda-go", runtime: "provided.al2023", pkg: "testdata/impls/typed",
			extra: []string{"--profile", "cognito,auto-confirm,alias-safe,autoconfirm"}, want: map[string]verdict{"cognito": pass, "auto-confirm": pass, "alias-safe": pass, "autoconfirm": fail}},
		{name: "typed aws-lambda-go, asking AdminGetUser", runtime: "provided.al2023", pkg: "testdata/impls/typed", env: []string{"LOOKUP=admin-get-user"}, want: verdicts(pass, pass, pass)},
		{name: "the article, in Go", runtime: "provided.al2023", pkg: "testdata/impls/article", want: verdicts(fail, pass, fail)},
		{name: "the article, in Python", runtime: "python3.11", code: "testdata/impls/article-python", want: verdicts(fail, pass, fail)},
		{name: "Node.js, any key present", runtime: "nodejs20.x", code: "testdata/impls/keypresence-node", want: verdicts(fail, pass, fail)},
		{name: "Node.js, guarded with the runtime's AWS SDK", runtime: "nodejs20.x", code: "testdata/impls/guarded-node", want: verdicts(pass, pass, pass)},
		{name: "TypeScript, Amplify Gen 2's layout, bundled with esbuild, asking AdminGetUser", runtime: "nodejs22.x", code: "testdata/impls/typescript-amplify", handler: "handler.handler", want: verdicts(pass, pass, pass)},
		{name: "Python with boto3, guarded with ListUsers", runtime: "python3.11", code: "testdata/impls/guarded-boto3", want: verdicts(pass, pass, pass)},
		{name: "Node.js, confirm only", runtime: "nodejs20.x", code: "testdata/impls/confirmonly-node", want: verdicts(pass, fail, pass)},
		{name: "Python, a domain allow-list with its own feature", runtime: "python3.11", code: "examples/allowlist/function",
			extra: []string{"--profile", "cognito,auto-confirm,alias-safe,allow-list", "--features", "examples/allowlist/features", "--fixtures", "examples/allowlist/fixtures"},
			want:  map[string]verdict{"cognito": pass, "auto-confirm": fail, "alias-safe": pass, "allow-list": pass}},
	}
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			code := im.code
			if im.pkg != "" {
				code = filepath.Join(dir, "code-"+filepath.Base(im.pkg))
				if _, err := os.Stat(filepath.Join(code, "bootstrap")); err != nil {
					os.MkdirAll(code, 0o755)
					bin := gobuild(t, ctx, dir, im.pkg, true)
					if err := os.Rename(bin, filepath.Join(code, "bootstrap")); err != nil {
						t.Fatal(err)
					}
				}
			}
			got, out := runLocal(t, ctx, runner, im, code)
			for p, want := range im.want {
				if got[p] != want {
					t.Errorf("profile %s: %s, want %s", p, got[p], want)
				}
			}
			if t.Failed() {
				t.Logf("the run said:\n%s", out)
			}
		})
	}
}

// runLocal runs one handler and returns the verdict per profile.
func runLocal(t *testing.T, ctx context.Context, runner string, im impl, code string) (map[string]verdict, []byte) {
	t.Helper()
	reports := t.TempDir()
	args := []string{"local", "--runtime", im.runtime, "--code", code, "--report-dir", reports}
	if im.handler != "" {
		args = append(args, "--handler", im.handler)
	}
	for _, e := range im.env {
		args = append(args, "--env", e)
	}
	cmd := exec.CommandContext(ctx, runner, append(args, im.extra...)...)
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "PROFILE=", "TAGS=", "ALIAS_POLICY=", "ALIAS_LOOKUP=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	status := 0
	switch {
	case errors.As(err, &exit):
		status = exit.ExitCode()
	case err != nil:
		t.Fatalf("the runner did not run: %v", err)
	}
	if status != 0 && status != 1 {
		t.Fatalf("exit %d, which is not a verdict:\n%s", status, out.Bytes())
	}
	failed, passed := map[string]int{}, map[string]int{}
	for _, target := range []string{"pool", "lambda"} {
		f, p := profileCounts(t, filepath.Join(reports, target, "cucumber.json"))
		for k, v := range f {
			failed[k] += v
		}
		for k, v := range p {
			passed[k] += v
		}
	}
	got := map[string]verdict{}
	var total int
	for p := range im.want {
		switch {
		case failed[p] > 0:
			got[p] = fail
		case passed[p] > 0:
			got[p] = pass
		default:
			got[p] = "nothing checked"
		}
		total += failed[p]
		t.Logf("%-12s %d scenarios failed, %d passed", p, failed[p], passed[p])
	}
	if (status == 1) != (total > 0) {
		t.Errorf("exit %d disagrees with %d failed scenarios", status, total)
	}
	return got, out.Bytes()
}

// profileCounts reads a cucumber JSON report and counts, per profile tag,
// the scenarios that failed and those that passed every step.
func profileCounts(t *testing.T, path string) (failed, passed map[string]int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the run wrote no report: %v", err)
	}
	var features []struct {
		Elements []struct {
			Tags  []struct{ Name string }
			Steps []struct {
				Result struct{ Status string }
			}
		}
	}
	if err := json.Unmarshal(b, &features); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	failed, passed = map[string]int{}, map[string]int{}
	for _, f := range features {
		for _, e := range f.Elements {
			statuses := map[string]bool{}
			for _, s := range e.Steps {
				statuses[s.Result.Status] = true
			}
			for _, tag := range e.Tags {
				p := strings.TrimPrefix(tag.Name, "@")
				switch {
				case statuses["failed"] || statuses["undefined"] || statuses["ambiguous"]:
					failed[p]++
				case len(statuses) == 1 && statuses["passed"]:
					passed[p]++
				}
			}
		}
	}
	return failed, passed
}
