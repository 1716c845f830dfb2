package targets

import (
	"encoding/json"
	"slices"
	"strings"
)

// The error types that a handler's own code does not throw on purpose, in
// families (RuleAnswer). Each list holds the names the runtime or the SDK
// gives its errors; an exception type that ends in "Exception" is an AWS
// error code and is matched apart.
var (
	// languageErrors are what the language runtime throws when code is wrong:
	// JavaScript's built-in error types and Python's built-in exceptions
	// for a bug, not Error, Exception, RuntimeError or ValueError, which
	// handlers raise to refuse. A Go panic with a text is told by its stack
	// (GoPanic), not by its type "string", which Node.js gives a refusal
	// with a text too.
	languageErrors = []string{
		"TypeError", "ReferenceError", "RangeError", "SyntaxError", "URIError", "EvalError", "InternalError",
		"KeyError", "AttributeError", "NameError", "IndexError", "ZeroDivisionError", "UnboundLocalError",
		"RecursionError", "AssertionError", "ImportError", "ModuleNotFoundError", "UnicodeDecodeError",
		"UnicodeEncodeError", "JSONDecodeError", "OverflowError", "MemoryError",
		"boundsError", "TypeAssertionError", "plainError",
	}
	// sdkErrors are the AWS SDKs' own errors that carry no AWS error code
	// (botocore, the JavaScript SDKs, the Go SDK), and AWS error codes
	// without the "Exception" suffix.
	sdkErrors = []string{
		"ClientError", "BotoCoreError", "EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
		"ConnectionClosedError", "NoCredentialsError", "PartialCredentialsError", "NoRegionError",
		"ParamValidationError", "CredentialRetrievalError",
		"TimeoutError", "CredentialsProviderError", "NetworkingError", "CredentialsError", "UnknownEndpoint",
		"OperationError", "ResponseError",
		"Throttling", "RequestLimitExceeded", "ServiceUnavailable", "InternalFailure", "RequestTimeout",
	}
)

// CrashOf says why a function error is a crash rather than the handler's own
// refusal, or "" for a refusal. A refusal is an error the handler's code
// raised on purpose, with a plain type: Error, Exception, RuntimeError,
// ValueError, Go's errors.New and fmt.Errorf, or a type of its own. A crash is
// anything else: an AWS SDK exception, a language runtime error, a Go
// runtime error, or Lambda's Runtime.*, Sandbox.* and Function.* types.
// errorType is "" where the target cannot see it: then only the message can
// tell, and only for a Go runtime error or an SDK error Go wrapped.
func CrashOf(errorType, message string) string {
	switch {
	case strings.HasPrefix(errorType, "Runtime."), strings.HasPrefix(errorType, "Sandbox."), strings.HasPrefix(errorType, "Function."):
		return "Lambda's error type: the runtime, not the handler's code, failed"
	case strings.HasPrefix(message, "runtime error: "):
		return "a Go runtime error"
	case slices.Contains(languageErrors, errorType):
		return "a language runtime error: the handler's code is wrong for this sign-up"
	case slices.Contains(sdkErrors, errorType), errorType != "Exception" && strings.HasSuffix(errorType, "Exception"),
		strings.Contains(message, "operation error "):
		return "an AWS SDK error the handler did not catch"
	}
	return ""
}

// PanicCrash is why a Go panic is a crash, whatever its type.
const PanicCrash = "a Go panic: the handler's code panicked, and aws-lambda-go ends the process after reporting it"

// GoPanic says whether a function error's body is aws-lambda-go's report of
// a panic: only a panic carries "stackTrace", as frames with a path, a line
// and a label. Node.js reports any error with "trace" (empty for a thrown
// string), Python with "stackTrace" as lines of text, and aws-lambda-go an
// error the handler returned with no stack at all (rules §11).
func GoPanic(body []byte) bool {
	var e struct {
		StackTrace []json.RawMessage `json:"stackTrace"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.StackTrace) == 0 {
		return false
	}
	var frame struct {
		Path  *string `json:"path"`
		Label *string `json:"label"`
		Line  *int    `json:"line"`
	}
	return json.Unmarshal(e.StackTrace[0], &frame) == nil && frame.Path != nil && frame.Label != nil && frame.Line != nil
}
