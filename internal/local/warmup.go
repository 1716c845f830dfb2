package local

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/internal/bounded"
	"github.com/autoconfirm/autoconfirm/internal/local/gateway"
	"github.com/autoconfirm/autoconfirm/internal/local/stack"
	"github.com/autoconfirm/autoconfirm/internal/termtext"
)

// warmUp invokes the handler once, as Cognito would, with an ordinary
// sign-up, before any scenario: a handler that cannot start (its runtime
// never took the event) is a setup error, quoted as the runtime reported
// it; one that cannot answer an ordinary sign-up in time fails at once; one
// that fails with the event (a panic, an exit, an answer over 6 MB) had
// that sign-up refused, as Cognito would, and is judged; a slow cold start
// is reported.
func (r *run) warmUp(ctx context.Context, st *stack.Stack) (int, error) {
	res, attempts, took, err := st.Invoke(ctx, warmUpEvent(st.PoolID, st.ClientID))
	switch {
	case ctx.Err() != nil:
		return conformance.ExitInterrupted, nil
	case err != nil:
		if cerr := st.Err(); cerr != nil {
			err = cerr
		}
		return conformance.ExitUsage, fmt.Errorf("the first invocation, before any scenario, failed: %w", err)
	}
	// The handler chooses their length: a run quotes them bounded.
	errType := bounded.Text(gjson.GetBytes(res.Body, "errorType").String(), bounded.HandlerText)
	errMsg := bounded.Text(gjson.GetBytes(res.Body, "errorMessage").String(), bounded.HandlerText)
	switch {
	case res.Init:
		handler := r.o.Handler
		if handler == "" {
			handler = r.o.Runtime.DefaultHandler()
		}
		what, advice := initFailure(errType, errMsg, handler)
		if errType == "Runtime.UserCodeSyntaxError" && !parsedData.MatchString(errMsg) {
			// Lambda names no column, and Node.js not even the file.
			if where, ok := r.o.Cache.SyntaxError(ctx, r.o.Runtime, r.o.Code, handler); ok {
				what += ": " + where
			}
		}
		r.say("the handler cannot start, so no scenario was run: %s", what)
		fmt.Fprintf(r.stderr, "local: the handler failed as Lambda would report it: %s: %s\n", termtext.Line(errType), termtext.Line(errMsg))
		fmt.Fprintf(r.stderr, "local: the runtime's log ends:\n%s", termtext.Block(st.EmulatorLogTail(15)))
		fmt.Fprintf(r.stderr, "local: %s; --verbose shows the runtime's log\n", advice)
		return conformance.ExitUsage, nil
	case res.TimedOut:
		r.say("FAIL: the handler did not answer an ordinary sign-up in time (%s: %s); Cognito would fail every sign-up, so no scenario was run", termtext.Line(errType), termtext.Line(errMsg))
		return conformance.ExitFailed, nil
	case res.FunctionError:
		r.say("the function %s the warm-up sign-up (%s), so Cognito would answer UserLambdaValidationException: PreSignUp failed with error %s. The scenarios judge it; the next invocation starts as Lambda starts it after such an error", warmUpFate(errType, errMsg), termtext.Line(errType), termtext.Line(errMsg))
	}
	r.say("cold start and first answer took %.2fs (Cognito allows 5s an attempt, cold start included)", took.Seconds())
	if attempts > 1 {
		r.say("SLOW COLD START: the first sign-up got no answer within %s, so Cognito would have invoked the handler %d times for it", gateway.CognitoAttempt, attempts)
	}
	return conformance.ExitPass, nil
}

// warmUpFate says whether the warm-up's function error is a crash or the
// handler's refusal, as the scenarios label it (rules §11).
func warmUpFate(errType, errMsg string) string {
	if targets.CrashOf(errType, errMsg) != "" {
		return "crashed on"
	}
	return "refused"
}

// missingModule finds the module an import error names.
var missingModule = regexp.MustCompile(`(?:No module named|Cannot find module|Cannot find package) '([^']+)'`)

// initFailure names what failed before the handler was ready, from the
// error the runtime reported, and says where to look; it names --handler
// only when the runtime did not find the handler or its module.
func initFailure(errType, errMsg, handler string) (what, advice string) {
	module := handler
	if i := strings.LastIndex(handler, "."); i > 0 {
		module = handler[:i]
	}
	switch m := missingModule.FindStringSubmatch(errMsg); {
	case errType == "Runtime.HandlerNotFound", errType == "Runtime.MalformedHandlerName":
		return "the runtime did not find the handler " + handler, "check --handler (FILE.EXPORT, as Lambda names it) and --code"
	case errType == "Runtime.ImportModuleError" && m != nil && path.Base(m[1]) != path.Base(module):
		return "the handler's module imports " + m[1] + ", which neither the runtime nor the code directory provides",
			"add it to --code (or a layer), as the deployment package must"
	case errType == "Runtime.ImportModuleError":
		return "the runtime could not load the handler's module", "check that --code and --handler name the handler's module"
	case errType == "Runtime.UserCodeSyntaxError" && !parsedData.MatchString(errMsg):
		return "the handler's code does not parse", "fix the syntax error the runtime quotes, or check --runtime"
	case errType == "Runtime.UserCodeSyntaxError":
		// Node.js's runtime reports any SyntaxError thrown while loading
		// as this type, JSON.parse's of a variable that is not set too.
		return "the handler's code failed while loading: " + errMsg, loadAdvice
	case errType == "Runtime.ExitError":
		_, reason, ok := strings.Cut(errMsg, " Error: ")
		if !ok {
			reason = errMsg
		}
		return "the function exited during its initialisation, before it asked for the first event (" + reason + ")",
			"the handler was found: fix what its initialisation needs (configuration, files beside it, variables given with --env)"
	}
	return "the handler's code failed while loading: " + errType + ": " + errMsg, loadAdvice
}

// parsedData matches the message of a SyntaxError that JSON.parse threw,
// about the data it was given rather than the handler's code.
var parsedData = regexp.MustCompile(`\bJSON\b`)

// loadAdvice follows an error the handler's own code threw while loading:
// most often configuration it reads from a variable that is not set.
const loadAdvice = "the handler was found; if it reads its configuration from its environment, give it with --env NAME=VALUE " +
	"(a template's Environment.Variables are read under --template)"

// warmUpEvent is an ordinary sign-up with an email address nobody holds.
func warmUpEvent(pool, client string) []byte {
	b, _ := json.Marshal(map[string]any{
		"version": "1", "region": stack.Region, "userPoolId": pool, "userName": "autoconfirm-warmup",
		"callerContext": map[string]string{"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client},
		"triggerSource": "PreSignUp_SignUp",
		"request":       map[string]any{"userAttributes": map[string]string{"email": "warmup@example.com"}, "validationData": nil},
		"response":      map[string]bool{"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false},
	})
	return b
}
