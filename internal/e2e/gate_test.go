//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	// vacuous is a profile whose scenarios passed at a depth where the
	// handler accepted no sign-up: the run fails it.
	vacuous verdict = "vacuous"
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
	says                         []string // what the run's output must say
}

// claim is the default claim for a handler autoconfirm did not write.
var claim = []string{"cognito", "confirm", "verify-email", "verify-phone", "alias-safe"}

// verdicts maps the default claim's profiles, in order, to their verdicts.
func verdicts(v ...verdict) map[string]verdict {
	m := map[string]verdict{}
	for i, p := range claim {
		m[p] = v[i]
	}
	return m
}

// also adds verdicts for profiles beyond the default claim.
func also(m map[string]verdict, more map[string]verdict) map[string]verdict {
	for k, v := range more {
		m[k] = v
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
	all := []string{"--profile", "cognito,auto-confirm,alias-safe,defensive,autoconfirm"}
	impls := []impl{
		{name: "reference", runtime: "provided.al2023", pkg: "testdata/impls/reference", want: verdicts(pass, pass, pass, pass, pass)},
		{name: "reference, without a guard", runtime: "provided.al2023", pkg: "testdata/impls/reference", env: []string{"REFERENCE_FAULT=noguard"}, want: verdicts(pass, pass, pass, pass, fail)},
		// Correct for every event Cognito sends; only the defensive profile,
		// which judges events Cognito's validation stops, fails it.
		{name: "reference, verifying any non-empty value", runtime: "provided.al2023", pkg: "testdata/impls/reference", env: []string{"REFERENCE_FAULT=looseverify"},
			extra: []string{"--profile", "cognito,auto-confirm,alias-safe,defensive"}, want: also(verdicts(pass, pass, pass, pass, pass), map[string]verdict{"defensive": fail})},
		// These differ from autoconfirm only where Cognito does not look.
		{name: "reference, flags on every source", runtime: "provided.al2023", pkg: "testdata/impls/reference", env: []string{"REFERENCE_FAULT=wrongsource"}, want: verdicts(pass, pass, pass, pass, pass)},
		{name: "reference, rewriting the request", runtime: "provided.al2023", pkg: "testdata/impls/reference", env: []string{"REFERENCE_FAULT=rewrite"},
			extra: all, want: also(verdicts(pass, pass, pass, pass, pass), map[string]verdict{"defensive": pass, "autoconfirm": fail})},
		{name: "reference, verifying email addresses only", runtime: "provided.al2023", pkg: "testdata/impls/reference", env: []string{"REFERENCE_FAULT=emailonly"}, want: verdicts(pass, pass, pass, fail, pass)},
		{name: "reference, verifying email addresses only, claiming what it does", runtime: "provided.al2023", pkg: "testdata/impls/reference", env: []string{"REFERENCE_FAULT=emailonly"},
			extra: []string{"--profile", "cognito,confirm,verify-email,alias-safe"}, want: map[string]verdict{"cognito": pass, "confirm": pass, "verify-email": pass, "alias-safe": pass}},
		// Timing out is a failure, never a refusal, at every depth.
		{name: "reference, timing out on sign-ups with a phone number", runtime: "provided.al2023", pkg: "testdata/impls/reference", env: []string{"REFERENCE_FAULT=slowphone"},
			extra: []string{"--timeout", "1s", "--profile", "cognito"}, want: map[string]verdict{"cognito": fail}},
		{name: "typed aws-lambda-go", runtime: "provided.al2023", pkg: "testdata/impls/typed",
			extra: all, want: also(verdicts(pass, pass, pass, pass, pass), map[string]verdict{"defensive": pass, "autoconfirm": fail})},
		{name: "typed aws-lambda-go, asking AdminGetUser", runtime: "provided.al2023", pkg: "testdata/impls/typed", env: []string{"LOOKUP=admin-get-user"}, want: verdicts(pass, pass, pass, pass, pass)},
		// The article's handler: its decisions are right for every event
		// Cognito sends; its flaw is the alias takeover.
		{name: "the article, in Go", runtime: "provided.al2023", pkg: "testdata/impls/article", want: verdicts(pass, pass, pass, pass, fail)},
		{name: "the article, in Python", runtime: "python3.11", code: "testdata/impls/article-python", want: verdicts(pass, pass, pass, pass, fail)},
		{name: "Node.js, any key present", runtime: "nodejs20.x", code: "testdata/impls/keypresence-node", want: verdicts(pass, pass, pass, pass, fail)},
		{name: "Node.js, guarded with the runtime's AWS SDK", runtime: "nodejs20.x", code: "testdata/impls/guarded-node", want: verdicts(pass, pass, pass, pass, pass)},
		{name: "TypeScript, Amplify Gen 2's layout, bundled with esbuild, asking AdminGetUser", runtime: "nodejs22.x", code: "testdata/impls/typescript-amplify", handler: "handler.handler", want: verdicts(pass, pass, pass, pass, pass)},
		{name: "Python with boto3, guarded with ListUsers", runtime: "python3.11", code: "testdata/impls/guarded-boto3", want: verdicts(pass, pass, pass, pass, pass)},
		// A guard that verifies anyway when its lookup fails moves another
		// user's alias exactly when Cognito throttles or fails: alias-safe
		// fails on the lookup-fault scenarios, at both depths.
		{name: "Node.js, guarded with the runtime's AWS SDK, failing open", runtime: "nodejs20.x", code: "testdata/impls/failopen-node", want: verdicts(pass, pass, pass, pass, fail),
			says: []string{"and every lookup of it is throttled", "were throttled (TooManyRequestsException), and the handler verified it anyway", "failed (InternalErrorException), and the handler verified it anyway", "failed:  at pool, lambda"}},
		{name: "Python with boto3, guarded with ListUsers, failing open", runtime: "python3.11", code: "testdata/impls/failopen-python", want: verdicts(pass, pass, pass, pass, fail),
			says: []string{"and every lookup of it is throttled", "were throttled (TooManyRequestsException), and the handler verified it anyway", "failed (InternalErrorException), and the handler verified it anyway", "failed:  at pool, lambda"}},
		// Guards that miss a holder: one reads a single user of the page,
		// one stops waiting after its own 2 s and verifies (red team round 25).
		{name: "Node.js, guarded, reading one user only", runtime: "nodejs22.x", code: "testdata/impls/guarded-node", env: []string{"FIRST_PAGE_ONLY=1", "LIST_LIMIT=1"},
			want: verdicts(pass, pass, pass, pass, fail), says: []string{"One user has the email address unverified, and another has verified it"}},
		{name: "Node.js, guarded, giving up after 2 s and verifying", runtime: "nodejs22.x", code: "testdata/impls/guarded-node", env: []string{"GIVE_UP_MS=2000"},
			want: verdicts(pass, pass, pass, pass, fail), says: []string{"is answered after 2400 milliseconds", "answered late, with the holder, and the handler verified it anyway"}},
		// A guard that writes the holder's value off itself takes the alias
		// as surely as verifying it (red team round 26).
		{name: "Node.js, guarded, unverifying the holder itself", runtime: "nodejs22.x", code: "testdata/impls/guarded-node", env: []string{"UNVERIFY_HOLDER=1"},
			want: verdicts(pass, pass, pass, pass, fail), says: []string{"is no longer verified: the handler marked it unverified itself"}},
		{name: "Node.js, confirm only", runtime: "nodejs20.x", code: "testdata/impls/confirmonly-node", want: verdicts(pass, pass, fail, fail, pass)},
		// Refusing on every sign-up passes every scenario that allows a
		// refusal, and the run fails it as vacuous at each depth.
		{name: "Python, raising on every sign-up", runtime: "python3.11", code: "testdata/impls/crash-python", want: verdicts(vacuous, fail, fail, fail, vacuous)},
		// An allow-list refuses whom it does not admit, administrators'
		// users included: Cognito passes the refusal on, so cognito passes.
		{name: "Python, a domain allow-list that also refuses administrators, with its own feature", runtime: "python3.11", code: "examples/allowlist/function",
			env:   []string{"ADMIN_CREATE_USER=refuse"},
			extra: []string{"--profile", "cognito,confirm,alias-safe,allow-list", "--features", "examples/allowlist/features", "--fixtures", "examples/allowlist/fixtures"},
			want:  map[string]verdict{"cognito": pass, "confirm": fail, "alias-safe": pass, "allow-list": pass}},
	}
	// Each failure's gist is repeated after the last handler, where a CI
	// log's excerpt, which ends at the test's result, shows it.
	var gists []string
	defer func() {
		for _, g := range gists {
			t.Log(g)
		}
	}()
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
			for _, say := range im.says {
				if !bytes.Contains(out, []byte(say)) {
					t.Errorf("the run does not say %q", say)
				}
			}
			if t.Failed() {
				t.Logf("the run said:\n%s", out)
				gists = append(gists, fmt.Sprintf("%s failed; the run's verdicts and failures:\n%s", im.name, gist(out)))
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
	empty := false // a depth at which the handler accepted no sign-up
	for _, target := range []string{"pool", "lambda"} {
		var rec struct{ SignUps [2]int }
		if b, err := os.ReadFile(filepath.Join(reports, target, "run.json")); err != nil || json.Unmarshal(b, &rec) != nil {
			t.Fatalf("the %s target wrote no run.json: %v", target, err)
		}
		if rec.SignUps[0] > 0 && rec.SignUps[1] == 0 {
			empty = true
		}
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
		case passed[p] > 0 && empty:
			got[p] = vacuous
		case passed[p] > 0:
			got[p] = pass
		default:
			got[p] = "nothing checked"
		}
		total += failed[p]
		t.Logf("%-12s %d scenarios failed, %d passed", p, failed[p], passed[p])
	}
	if (status == 1) != (total > 0 || empty) {
		t.Errorf("exit %d disagrees with %d failed scenarios and a depth that accepted no sign-up: %v", status, total, empty)
	}
	// The verdict local recorded for both depths agrees with the one read
	// here from the scenarios themselves.
	var rec struct {
		Verdicts []struct{ Profile, Verdict string }
		Failures []struct{ Depths []string }
	}
	if b, err := os.ReadFile(filepath.Join(reports, "run.json")); err != nil || json.Unmarshal(b, &rec) != nil {
		t.Fatalf("local recorded no verdict for both depths: %v", err)
	}
	recorded := map[string]string{}
	for _, v := range rec.Verdicts {
		recorded[v.Profile] = v.Verdict
	}
	for p := range im.want {
		if want := map[verdict]string{"nothing checked": "not observable"}[got[p]]; recorded[p] != string(got[p]) && recorded[p] != want {
			t.Errorf("profile %s: local recorded %q, the scenarios say %s", p, recorded[p], got[p])
		}
	}
	if total > 0 && len(rec.Failures) == 0 {
		t.Errorf("%d failed scenarios, none in local's record", total)
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

// gist is what a failed run said that explains it: the lines of its verdict
// tables, failure lists and local's own messages, at most 60.
func gist(out []byte) string {
	var keep []string
	in := false
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(l, "VERDICT"), strings.HasPrefix(l, "FAILED"), strings.HasPrefix(l, "CONTROL"):
			in = true
		case strings.TrimSpace(l) == "":
			in = false
		}
		if in || strings.HasPrefix(l, "local:") || strings.HasPrefix(l, "autoconfirm-conformance:") {
			keep = append(keep, l)
		}
	}
	if len(keep) > 60 {
		keep = append(keep[:60], fmt.Sprintf("… %d more lines", len(keep)-60))
	}
	return strings.Join(keep, "\n")
}
