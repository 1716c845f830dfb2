package local

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitFailure: an init failure is named for what failed, --handler is
// suggested only when the runtime did not find the handler, and an error the
// handler's own code threw while loading (a variable it reads that is not
// set) points at --env, not at the code's syntax.
func TestInitFailure(t *testing.T) {
	tests := []struct {
		errType, errMsg, handler string
		what, advice             string
		suggestsHandler          bool
	}{
		{"Runtime.HandlerNotFound", "Handler 'handler' missing on module 'lambda_function'", "lambda_function.handler", "did not find the handler", "check --handler", true},
		{"Runtime.ImportModuleError", "Unable to import module 'lambda_function': No module named 'lambda_function'", "lambda_function.lambda_handler", "could not load the handler's module", "--code", true},
		{"Runtime.ImportModuleError", "Unable to import module 'lambda_function': No module named 'requests'", "lambda_function.lambda_handler", "imports requests", "add it to --code", false},
		{"Runtime.ImportModuleError", "Error: Cannot find package 'jose' imported from /var/task/index.mjs", "index.handler", "imports jose", "add it to --code", false},
		{"Runtime.ExitError", "RequestId: 1 Error: Runtime exited with error: exit status 1", "", "exited during its initialisation, before it asked for the first event (Runtime exited with error: exit status 1)", "--env", false},
		{"Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected token '}'", "index.handler", "does not parse", "fix the syntax error", false},
		{"Runtime.UserCodeSyntaxError", "Syntax error in module 'lambda_function': invalid syntax (lambda_function.py, line 3)", "lambda_function.lambda_handler", "does not parse", "fix the syntax error", false},
		// JSON.parse(process.env.X) at import, X not set
		{"Runtime.UserCodeSyntaxError", `SyntaxError: "undefined" is not valid JSON`, "index.handler", `failed while loading: SyntaxError: "undefined" is not valid JSON`, "--env NAME=VALUE", false},
		{"Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected token u in JSON at position 0", "index.handler", "failed while loading: SyntaxError: Unexpected token u in JSON", "--env NAME=VALUE", false},
		{"KeyError", "'ALLOWED_DOMAINS'", "lambda_function.lambda_handler", "failed while loading: KeyError: 'ALLOWED_DOMAINS'", "--env NAME=VALUE", false},
		{"Error", "TABLE is not set", "index.handler", "failed while loading: Error: TABLE is not set", "--env NAME=VALUE", false},
	}
	for _, tt := range tests {
		t.Run(tt.errType+" "+tt.errMsg, func(t *testing.T) {
			what, advice := initFailure(tt.errType, tt.errMsg, tt.handler)
			if !strings.Contains(what, tt.what) {
				t.Errorf("names %q, want %q", what, tt.what)
			}
			if !strings.Contains(advice, tt.advice) {
				t.Errorf("advice %q, want %q in it", advice, tt.advice)
			}
			if got := strings.Contains(advice, "--handler"); got != tt.suggestsHandler {
				t.Errorf("advice %q: suggests --handler %v, want %v", advice, got, tt.suggestsHandler)
			}
		})
	}
}

// TestWarmUpFate: a warm-up whose runtime exited crashed, as rules §11
// calls it; an error the handler raised is a refusal.
func TestWarmUpFate(t *testing.T) {
	tests := []struct{ errType, errMsg, want string }{
		{"Runtime.ExitError", "RequestId: 1 Error: Runtime exited with error: exit status 3", "crashed on"},
		{"Runtime.UnhandledPromiseRejection", "Error: TABLE is not set", "crashed on"},
		{"boundsError", "runtime error: index out of range [1] with length 1", "crashed on"},
		{"Exception", "first sign-up refused", "refused"},
		{"Error", "Email domain not allowed", "refused"},
	}
	for _, tt := range tests {
		if got := warmUpFate(tt.errType, tt.errMsg); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.errType, got, tt.want)
		}
	}
}

// TestReportsOutsideTheCode: a report directory inside the code, however
// named, is refused before anything is written; one beside it is not.
func TestReportsOutsideTheCode(t *testing.T) {
	root := t.TempDir()
	code := filepath.Join(root, "fn")
	os.MkdirAll(code, 0o755)
	os.Symlink(code, filepath.Join(root, "link"))
	for _, tt := range []struct {
		code, reports string
		refused       bool
	}{
		{code, filepath.Join(code, "reports", "local"), true},
		{code, code, true},
		{filepath.Join(root, "link"), filepath.Join(code, "reports"), true},
		{code, filepath.Join(root, "link", "new", "reports"), true},
		{code, filepath.Join(root, "reports", "local"), false},
		{code, filepath.Join(root, "fn-reports"), false},
	} {
		if err := reportsOutside(tt.code, tt.reports); (err != nil) != tt.refused {
			t.Errorf("code %s, reports %s: %v, want refused %v", tt.code, tt.reports, err, tt.refused)
		}
	}
}
