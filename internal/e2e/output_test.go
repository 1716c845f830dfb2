//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// besides are the lines a passing run may add to its budget: one per crash,
// one per way the run differs from Lambda.
var besides = regexp.MustCompile(`^(  \d+\. (CRASHED|ERRORED) at |local: NOT AS ON LAMBDA: )`)

// TestPassingRunIsShort: a passing local run prints at most 25 lines besides
// one per crash and one per difference from Lambda, each said once; the
// notice of how the local pool differs from Cognito is one line, and
// --verbose prints it whole (issue 25, point 4).
func TestPassingRunIsShort(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	for _, tt := range []struct {
		name    string
		args    []string
		verbose bool
	}{
		{"a Node.js handler that crashes where its profiles allow it", []string{"--runtime", "nodejs22.x", "--code", "testdata/impls/guarded-node"}, false},
		{"a Python handler, with a difference from Lambda", []string{"--runtime", "python3.11", "--code", "testdata/impls/guarded-boto3"}, false},
		{"--verbose prints the whole notice", []string{"--runtime", "nodejs22.x", "--code", "testdata/impls/keypresence-node", "--profile", "cognito", "--verbose"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out := localRun(t, ctx, runner, t.TempDir(), tt.args...)
			if code != 0 {
				t.Fatalf("exit %d, want 0:\n%s", code, out)
			}
			text := string(out)
			lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
			counted := 0
			seen := map[string]bool{}
			for _, l := range lines {
				if besides.MatchString(l) {
					if strings.HasPrefix(l, "local: NOT AS ON LAMBDA") && seen[l] {
						t.Errorf("said twice: %s", l)
					}
					seen[l] = true
					continue
				}
				counted++
			}
			whole := strings.Contains(text, "cognito-local is not Cognito. Where it differs")
			if tt.verbose {
				if !whole {
					t.Errorf("--verbose does not print the whole notice")
				}
				return
			}
			if counted > 25 {
				t.Errorf("%d lines besides crashes and differences, want at most 25", counted)
			}
			if whole || strings.Count(text, "the pool is cognito-local, not Cognito") != 1 || !strings.Contains(text, "--verbose") {
				t.Errorf("the notice is not one line that points to --verbose")
			}
			for _, once := range []string{"sandboxed (", "NOT CLAIMED:", "CodeSha256 "} {
				if n := strings.Count(text, once); n > 1 {
					t.Errorf("%q said %d times", once, n)
				}
			}
			if t.Failed() {
				t.Logf("the run said:\n%s", out)
			}
		})
	}
}

// TestSyntaxErrorsSayWhere: a handler that does not parse is a setup error
// that names the file, the line and the column, with the line and a caret
// under the place, in Node.js (whose Lambda error names no file) and Python
// (whose names no column).
func TestSyntaxErrorsSayWhere(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	for _, tt := range []struct {
		runtime string
		files   map[string]string
		want    []string
	}{
		{"nodejs22.x", map[string]string{"index.mjs": "export const handler = async (event) => {\n  const x = ;\n  return event;\n};\n"},
			[]string{"index.mjs:2:13: SyntaxError: Unexpected token ';'", "\n      const x = ;\n                ^\n"}},
		{"nodejs22.x", map[string]string{"index.mjs": "import { confirm } from './lib/confirm.mjs';\nexport const handler = async (event) => confirm(event);\n",
			"lib/confirm.mjs": "export const confirm = (e) => {\n  e.response.autoConfirmUser = true\n  return e;;;}}\n"},
			[]string{"lib/confirm.mjs:3:15: SyntaxError: Unexpected token '}'"}},
		{"python3.11", map[string]string{"lambda_function.py": "def lambda_handler(event, context):\n    if event\n        return event\n"},
			[]string{"lambda_function.py:2:13: SyntaxError: expected ':'", "\n    if event\n            ^\n"}},
	} {
		t.Run(tt.runtime+" "+strings.Join(keys(tt.files), ","), func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
				os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
			}
			code, out := localRun(t, ctx, runner, t.TempDir(), "--runtime", tt.runtime, "--code", dir)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("the output lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("the run said:\n%s", out)
			}
		})
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
