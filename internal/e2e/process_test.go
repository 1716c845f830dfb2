//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// started is a handler started as Lambda starts its process, and what
// `local` must make of it.
type started struct {
	name, runtime string
	pkg           string            // a Go package built into code/bootstrap
	beside        []string          // files of pkg's directory copied beside the bootstrap
	files         map[string]string // or the code directory: name -> content
	args          []string
	wantExit      int
	want, refuse  []string // in the output, and never in it
}

// TestProcessAsLambda: the function starts in its code root; a crash with
// an event is a function error, judged, and only a failure before the
// handler is ready is a setup error, named for what failed; a retry of an
// abandoned attempt does not find the busy environment warm.
func TestProcessAsLambda(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	cognito := []string{"--profile", "cognito"}
	readsPolicy := map[string]string{"policy.json": `{"autoConfirm": true}`}
	cases := []started{
		{name: "Go: a relative path resolves in the code root", runtime: "provided.al2023", pkg: "testdata/impls/policyfile-go", beside: []string{"policy.json"},
			args: cognito, wantExit: 0, refuse: []string{"failed to read policy"}},
		{name: "Node.js: a relative path resolves in the code root", runtime: "nodejs22.x", args: cognito, wantExit: 0,
			files: withFile(readsPolicy, "index.mjs", "import { readFileSync } from 'node:fs';\nconst policy = JSON.parse(readFileSync('policy.json', 'utf8'));\n"+
				"export const handler = async (event) => { event.response.autoConfirmUser = policy.autoConfirm; return event; };\n")},
		{name: "Python: a relative path resolves in the code root", runtime: "python3.11", args: cognito, wantExit: 0,
			files: withFile(readsPolicy, "lambda_function.py", "import json\nwith open('policy.json') as f:\n    policy = json.load(f)\n\n"+
				"def lambda_handler(event, context):\n    event['response']['autoConfirmUser'] = policy['autoConfirm']\n    return event\n")},
		// The warm-up's username is not an email address: the handler
		// panics on it, and on every scenario's, and is judged for it.
		{name: "Go: a panic on the warm-up sign-up is a function error, judged", runtime: "provided.al2023", pkg: "testdata/impls/domain-go",
			args: slices.Concat(cognito, []string{"--env", "ALLOWED_DOMAINS=example.com"}), wantExit: 1,
			want:   []string{"PreSignUp failed with error runtime error: index out of range [1] with length 1", "cold starts"},
			refuse: []string{"cannot start", "--handler"}},
		{name: "Go: an exit in init() is a setup error that names it", runtime: "provided.al2023", pkg: "testdata/impls/domain-go",
			args: slices.Concat(cognito, []string{"--env", "DOMAIN_FAULT=init"}), wantExit: 2,
			want:   []string{"the function exited during its initialisation", "ALLOWED_DOMAINS_TABLE is not set", "the handler was found"},
			refuse: []string{"--handler"}},
		{name: "Go: the same exit at the first event is a function error", runtime: "provided.al2023", pkg: "testdata/impls/domain-go",
			args: slices.Concat(cognito, []string{"--env", "DOMAIN_FAULT=first-event"}), wantExit: 1,
			want: []string{"Runtime.ExitError", "the function crashed on the warm-up sign-up"}, refuse: []string{"cannot start", "refused the warm-up"}},
		{name: "Go: an answer over 6 MB is Function.ResponseSizeTooLarge, a function error", runtime: "provided.al2023", pkg: "testdata/impls/domain-go",
			args: slices.Concat(cognito, []string{"--env", "DOMAIN_FAULT=big"}), wantExit: 1,
			want: []string{"Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size (6291556 bytes)"}, refuse: []string{"cannot start"}},
		{name: "Node.js: a throw at import is a setup error that names it", runtime: "nodejs22.x", wantExit: 2,
			files:  map[string]string{"index.mjs": "if (!process.env.TABLE) throw new Error('TABLE is not set');\nexport const handler = async (event) => event;\n"},
			want:   []string{"failed while loading: Error: TABLE is not set", "the handler was found", "--env NAME=VALUE"},
			refuse: []string{"--handler"}},
		{name: "Node.js: JSON.parse of a variable not set, at import, points at --env", runtime: "nodejs22.x", wantExit: 2,
			files:  map[string]string{"index.mjs": "const allowed = JSON.parse(process.env.ALLOWED);\nexport const handler = async (event) => event;\n"},
			want:   []string{"Runtime.UserCodeSyntaxError", "failed while loading: SyntaxError", "--env NAME=VALUE"},
			refuse: []string{"--handler", "fix the syntax error"}},
		{name: "Node.js: the same failure at the first event, unhandled, is a function error", runtime: "nodejs22.x", args: cognito, wantExit: 1,
			files: map[string]string{"index.mjs": "export const handler = async (event) => {\n  if (!process.env.TABLE) Promise.reject(new Error('TABLE is not set'));\n" +
				"  await new Promise((r) => setTimeout(r, 100));\n  return event;\n};\n"},
			want: []string{"Runtime.UnhandledPromiseRejection", "the function crashed on the warm-up sign-up"}, refuse: []string{"cannot start"}},
		// Lambda gives init 10 s of its own: the 3 s timeout counts from the
		// event, and Cognito's 5 s take the 4 s cold start's answer.
		{name: "a 4 s init passes with the default timeout", runtime: "python3.11", args: cognito, wantExit: 0,
			files:  map[string]string{"lambda_function.py": "import time\ntime.sleep(4)\n\ndef lambda_handler(event, context):\n    return event\n"},
			refuse: []string{"Task timed out", "FAIL"}},
		{name: "a handler that takes 4 s with a 3 s timeout times out", runtime: "python3.11", args: cognito, wantExit: 1,
			files: map[string]string{"lambda_function.py": "import time\n\ndef lambda_handler(event, context):\n    time.sleep(4)\n    return event\n"},
			want:  []string{"did not answer an ordinary sign-up in time", "Sandbox.Timedout", "Task timed out after 3.00 seconds"}},
		// Slower than two of Cognito's attempts on a cold start, fast when
		// warm: each retry finds the earlier environments busy and starts
		// cold, as on Lambda, where one environment let the retry in warm.
		{name: "a handler that answers only on a warm retry fails cognito, saying why", runtime: "python3.11", args: slices.Concat(cognito, []string{"--timeout", "15s"}), wantExit: 1,
			files: map[string]string{"lambda_function.py": "import time\nwarm = False\n\ndef lambda_handler(event, context):\n    global warm\n" +
				"    if not warm:\n        time.sleep(11)\n        warm = True\n    return event\n"},
			want: []string{"no answer within 5s in 3 attempts", "3 of the attempts started cold", "a handler must answer within 5s from a cold start"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code := t.TempDir()
			for name, content := range c.files {
				os.WriteFile(filepath.Join(code, name), []byte(content), 0o644)
			}
			if c.pkg != "" {
				bin := gobuild(t, ctx, t.TempDir(), c.pkg, true)
				if err := os.Rename(bin, filepath.Join(code, "bootstrap")); err != nil {
					t.Fatal(err)
				}
				for _, f := range c.beside {
					b, _ := os.ReadFile(filepath.Join(root(t), c.pkg, f))
					os.WriteFile(filepath.Join(code, f), b, 0o644)
				}
			}
			tmp := privateTemp(t)
			cmd := exec.CommandContext(ctx, runner, append([]string{"local", "--runtime", c.runtime, "--code", code, "--report-dir", t.TempDir()}, c.args...)...)
			// The runner's own directory is not the code's: a function that
			// started here would not find its files.
			cmd.Dir = root(t)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "PROFILE=", "TAGS=")
			out, _ := cmd.CombinedOutput()
			if got := cmd.ProcessState.ExitCode(); got != c.wantExit {
				t.Errorf("exit %d, want %d", got, c.wantExit)
			}
			for _, w := range c.want {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("the output lacks %q", w)
				}
			}
			for _, w := range c.refuse {
				if bytes.Contains(out, []byte(w)) {
					t.Errorf("the output says %q", w)
				}
			}
			leftovers(t, tmp)
			if t.Failed() {
				t.Logf("the run said:\n%s", out)
			}
		})
	}
}

// withFile is files with one more.
func withFile(files map[string]string, name, content string) map[string]string {
	m := map[string]string{name: content}
	for k, v := range files {
		m[k] = v
	}
	return m
}
