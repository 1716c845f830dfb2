//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// diffReport is what the tests read of diff.json.
type diffReport struct {
	Cases       int
	Differences []struct {
		Kind, Source, Value string
		A, B                struct{ Outcome, Message string }
		Example             string
		ShrunkFrom          int `json:"shrunk_from_bytes"`
		ShrinkSteps         int `json:"shrink_steps"`
	}
}

// TestDiff runs `diff` on handlers hosted as local hosts them: a handler
// against itself written another way differs nowhere; each mutant differs
// in its own kind only, and each difference comes with a smaller event; the
// article's handler against autoconfirm differs exactly as docs/harness.md says.
func TestDiff(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	runner := gobuild(t, ctx, dir, "cmd/autoconfirm-conformance", false)
	code := func(pkg string) string {
		d := filepath.Join(dir, "code-"+filepath.Base(pkg))
		os.MkdirAll(d, 0o755)
		if err := os.Rename(gobuild(t, ctx, dir, pkg, true), filepath.Join(d, "bootstrap")); err != nil {
			t.Fatal(err)
		}
		return "local:provided.al2023:" + d
	}
	reference, typed, autoconfirm := code("testdata/impls/reference"), code("testdata/impls/reference-typed"), code("cmd/autoconfirm")
	article := "local:python3.11:testdata/impls/article-python"
	// Two handlers that decide on the email address alone: the same
	// address must reach them each time a case is sent (red team round 22).
	byLength, confirming := filepath.Join(dir, "by-length"), filepath.Join(dir, "confirming")
	for d, body := range map[string]string{byLength: "    if len(email) % 3 == 0:\n        raise Exception('no')\n", confirming: ""} {
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "lambda_function.py"), []byte("def lambda_handler(event, context):\n    email = event['request']['userAttributes'].get('email', '')\n"+
			body+"    event['response']['autoConfirmUser'] = True\n    return event\n"), 0o644)
	}
	userns := exec.CommandContext(ctx, "unshare", "--user", "--pid", "--mount", "true").Run() == nil
	for _, tt := range []struct {
		name string
		args []string
		exit int
		// kinds are the only kinds of difference allowed; some must show
		// each of want (a kind and a part of the value).
		kinds []string
		want  [][2]string
	}{
		{"the reference against itself, typed", []string{reference, typed}, 0, nil, nil},
		{"a refusal decided on the address's length", []string{"local:python3.12:" + confirming, "local:python3.12:" + byLength}, 1,
			[]string{"outcome"}, [][2]string{{"outcome", ""}}},
		{"the guard removed", []string{"--b-env", "REFERENCE_FAULT=noguard", reference, reference}, 1,
			[]string{"autoVerifyEmail", "autoVerifyPhone"}, [][2]string{{"autoVerifyEmail", "held verified"}, {"autoVerifyPhone", "held verified"}}},
		{"the checks loosened", []string{"--b-env", "REFERENCE_FAULT=looseverify", reference, reference}, 1,
			[]string{"autoVerifyEmail", "autoVerifyPhone"}, [][2]string{{"autoVerifyPhone", "phone_number invalid"}, {"autoVerifyEmail", "email invalid"}}},
		{"another refusal text", []string{"--a-env", "REFERENCE_CLOSED_DOMAIN=mail.example.co.uk", "--b-env", "REFERENCE_CLOSED_DOMAIN=mail.example.co.uk", "--b-env", "REFERENCE_FAULT=refusaltext", reference, reference}, 1,
			[]string{"refusal-text"}, [][2]string{{"refusal-text", ""}}},
		// docs/harness.md's account ("The article's handler against autoconfirm"):
		// it verifies what another user holds verified, values Cognito's
		// validation stops, and on ExternalProvider, and an address too long
		// to be a username, which autoconfirm cannot look up.
		{"the article against autoconfirm", []string{article, autoconfirm}, 1,
			[]string{"autoVerifyEmail", "autoVerifyPhone"},
			[][2]string{{"autoVerifyEmail", "held verified"}, {"autoVerifyPhone", "held verified"}, {"autoVerifyEmail", "email invalid"},
				{"autoVerifyEmail", "email empty"}, {"autoVerifyPhone", "phone_number invalid"}, {"autoVerifyPhone", "phone_number empty"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reports := t.TempDir()
			cmd := exec.CommandContext(ctx, runner, append([]string{"diff", "--events", "300", "--seed", "11", "--report-dir", reports}, tt.args...)...)
			cmd.Dir = root(t)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != tt.exit {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.exit, out.String())
			}
			// Each side is sandboxed as local sandboxes it, in a network
			// namespace of its own (red team round 13).
			if userns && (strings.Count(out.String(), "own network namespace") != 2 || strings.Contains(out.String(), "host network")) {
				t.Errorf("a side was not in a network namespace of its own:\n%s", out.String())
			}
			if strings.Contains(out.String(), "NONDETERMINISTIC") {
				t.Errorf("a side was called nondeterministic:\n%s", out.String())
			}
			var rep diffReport
			b, err := os.ReadFile(filepath.Join(reports, "diff.json"))
			if err != nil || json.Unmarshal(b, &rep) != nil {
				t.Fatalf("no diff.json: %v\n%s", err, out.String())
			}
			if rep.Cases < 300 {
				t.Errorf("%d sign-ups compared, want the fixtures and 300 generated", rep.Cases)
			}
			if (tt.exit == 0) != (len(rep.Differences) == 0) {
				t.Errorf("exit %d with %d differences", tt.exit, len(rep.Differences))
			}
			shown := map[[2]string]bool{}
			for _, d := range rep.Differences {
				if !contains(tt.kinds, d.Kind) {
					t.Errorf("a difference of kind %s (%s, %s): A %+v, B %+v", d.Kind, d.Source, d.Value, d.A, d.B)
				}
				for _, w := range tt.want {
					if d.Kind == w[0] && strings.Contains(d.Value, w[1]) {
						shown[w] = true
					}
				}
				if d.ShrinkSteps > 1 && len(d.Example) >= d.ShrunkFrom {
					t.Errorf("%s %s: the example is %d bytes after %d steps, from %d", d.Kind, d.Value, len(d.Example), d.ShrinkSteps, d.ShrunkFrom)
				}
			}
			for _, w := range tt.want {
				if !shown[w] {
					t.Errorf("no %s difference with %q; the run said:\n%s", w[0], w[1], out.String())
				}
			}
			for _, f := range []string{"diff.txt", "diff.html"} {
				if _, err := os.Stat(filepath.Join(reports, f)); err != nil {
					t.Errorf("no %s: %v", f, err)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestDiffDeployedSide: a lambda: side is a deployed function, reached
// through the Lambda API with its other users created in --pool-id; here
// the local stack stands in for both. Against the same code hosted
// locally it differs nowhere; a function that does not exist is a setup
// error.
func TestDiffDeployedSide(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runner, st, bootstrap := referenceStack(t, ctx)
	code := filepath.Join(t.TempDir(), "code")
	os.MkdirAll(code, 0o755)
	b, err := os.ReadFile(bootstrap)
	if err != nil || os.WriteFile(filepath.Join(code, "bootstrap"), b, 0o755) != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+st.CognitoURL, "AWS_ENDPOINT_URL_LAMBDA="+st.GatewayURL)
	for _, tt := range []struct {
		name, spec string
		exit       int
		want       string
	}{
		{"the same code, deployed and local", "lambda:PreSignUp", 0, "no difference"},
		{"a function that does not exist", "lambda:Other", 2, "cannot reach the function Other"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(ctx, runner, "diff", "--events", "100", "--seed", "3", "--pool-id", st.PoolID, tt.spec, "local:provided.al2023:"+code)
			cmd.Dir, cmd.Env = root(t), env
			out, _ := cmd.CombinedOutput()
			if c := cmd.ProcessState.ExitCode(); c != tt.exit || !strings.Contains(string(out), tt.want) {
				t.Errorf("exit %d, want %d saying %q:\n%s", c, tt.exit, tt.want, out)
			}
		})
	}
	if n, err := st.TestUsers(ctx); err != nil || n != 0 {
		t.Errorf("%d test users left in the pool (%v)", n, err)
	}
}

// TestDiffRanked: a change that removes the guard (an alias takeover),
// closes a domain (an ordinary change of decision) and stops verifying
// values Cognito's validation refuses (a change on events Cognito never
// sends) is reported ranked: the takeover first, the changed decision
// after it, the events Cognito never sends last and marked test-only;
// diff.txt heads each group once, in that order, and report --markdown
// renders the directory in the same order.
func TestDiffRanked(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	runner := gobuild(t, ctx, dir, "cmd/autoconfirm-conformance", false)
	code := filepath.Join(dir, "code")
	os.MkdirAll(code, 0o755)
	if err := os.Rename(gobuild(t, ctx, dir, "testdata/impls/reference", true), filepath.Join(code, "bootstrap")); err != nil {
		t.Fatal(err)
	}
	reports := t.TempDir()
	spec := "local:provided.al2023:" + code
	cmd := exec.CommandContext(ctx, runner, "diff", "--events", "300", "--seed", "11", "--report-dir", reports,
		"--a-env", "REFERENCE_FAULT=looseverify", "--b-env", "REFERENCE_FAULT=noguard", "--b-env", "REFERENCE_CLOSED_DOMAIN=mail.example.co.uk", spec, spec)
	cmd.Dir = root(t)
	out, _ := cmd.CombinedOutput()
	if c := cmd.ProcessState.ExitCode(); c != 1 {
		t.Fatalf("exit %d, want 1:\n%s", c, out)
	}
	var rep struct {
		Differences []struct {
			Kind, Category, Harm string
			Rank                 int
			Takeover             bool `json:"alias_takeover"`
			B                    struct{ Outcome, Message string }
		}
		Nondeterministic []any
	}
	b, err := os.ReadFile(filepath.Join(reports, "diff.json"))
	if err != nil || json.Unmarshal(b, &rep) != nil || len(rep.Differences) < 3 {
		t.Fatalf("diff.json (%v): %s\n%s", err, b, out)
	}
	ds := rep.Differences
	if first := ds[0]; !first.Takeover || first.Category != "breaks-profile" || first.Kind != "autoVerifyEmail" || !strings.Contains(first.Harm, "B verifies") {
		t.Errorf("the first difference is not B's alias takeover: %+v\n%s", first, out)
	}
	if last := ds[len(ds)-1]; last.Category != "test-only" {
		t.Errorf("the last difference is not test-only: %+v\n%s", last, out)
	}
	closed := false
	for i, d := range ds {
		closed = closed || (d.Category == "decision-change" && d.Kind == "outcome" && strings.Contains(d.B.Message, "mail.example.co.uk are closed"))
		if i > 0 && d.Rank < ds[i-1].Rank {
			t.Errorf("difference %d of rank %d follows one of rank %d", i+1, d.Rank, ds[i-1].Rank)
		}
	}
	if !closed || len(rep.Nondeterministic) != 0 {
		t.Errorf("no changed decision for the closed domain, or a side reported nondeterministic:\n%s", out)
	}
	text, _ := os.ReadFile(filepath.Join(reports, "diff.txt"))
	md, err := exec.CommandContext(ctx, runner, "report", "--markdown", "-", reports).Output()
	if err != nil {
		t.Fatalf("report --markdown of the diff's directory: %v\n%s", err, md)
	}
	for _, page := range []struct {
		name  string
		text  string
		heads []string
	}{
		{"diff.txt", string(text), []string{"[1] BREAKS-PROFILE", "[2] DECISION-CHANGE", "[3] TEST-ONLY"}},
		{"the Markdown", string(md), []string{"#### 1. ❌ Breaks a profile", "#### 2. Decision changed", "#### 3. Test-only"}},
	} {
		at := -1
		for _, h := range page.heads {
			i := strings.Index(page.text, h)
			if i <= at || strings.Count(page.text, h) != 1 {
				t.Errorf("%s: %q is not there once, in rank order:\n%s", page.name, h, page.text)
			}
			at = i
		}
	}
}
