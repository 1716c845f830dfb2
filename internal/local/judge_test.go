package local

import (
	"strings"
	"testing"
)

// TestInitFailure: an init failure is named for what failed, and --handler
// is suggested only when the runtime did not find the handler.
func TestInitFailure(t *testing.T) {
	tests := []struct {
		errType, errMsg, handler string
		what                     string
		suggestsHandler          bool
	}{
		{"Runtime.HandlerNotFound", "Handler 'handler' missing on module 'lambda_function'", "lambda_function.handler", "did not find the handler", true},
		{"Runtime.ImportModuleError", "Unable to import module 'lambda_function': No module named 'lambda_function'", "lambda_function.lambda_handler", "could not load the handler's module", true},
		{"Runtime.ImportModuleError", "Unable to import module 'lambda_function': No module named 'requests'", "lambda_function.lambda_handler", "imports requests", false},
		{"Runtime.ImportModuleError", "Error: Cannot find package 'jose' imported from /var/task/index.mjs", "index.handler", "imports jose", false},
		{"Runtime.ExitError", "RequestId: 1 Error: Runtime exited with error: exit status 1", "", "exited during its initialisation, before it asked for the first event (Runtime exited with error: exit status 1)", false},
		{"Error", "TABLE is not set", "index.handler", "initialisation raised Error", false},
	}
	for _, tt := range tests {
		t.Run(tt.errType+" "+tt.errMsg, func(t *testing.T) {
			what, advice := initFailure(tt.errType, tt.errMsg, tt.handler)
			if !strings.Contains(what, tt.what) {
				t.Errorf("names %q, want %q", what, tt.what)
			}
			if got := strings.Contains(advice, "--handler"); got != tt.suggestsHandler {
				t.Errorf("advice %q: suggests --handler %v, want %v", advice, got, tt.suggestsHandler)
			}
		})
	}
}
