package rie

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// finish turns an environment's reply into Lambda's answer and gives the
// environment back, or ends it when it stopped answering.
func (p *Proc) finish(in *instance, r reply, cold bool, delivered int64) (Result, error) {
	if err := in.gate.outOfMachine(); err != nil {
		// The kernel ended a process for want of this machine's memory,
		// not the function's: no answer of this run can be judged.
		p.crash(err)
		p.discard(in)
		return Result{}, p.Err()
	}
	if errors.Is(r.err, errTimedOut) {
		// Lambda resets an environment whose function timed out.
		p.retire(in)
		res := timedOut(p.cfg.Timeout)
		res.Cold = cold
		return res, nil
	}
	if r.err != nil {
		if cerr := p.Err(); cerr != nil {
			return Result{}, cerr
		}
		// The emulator did not answer well after the function's timeout:
		// it is stuck. Lambda would have timed the function out; this
		// environment is ended, and the next invocation gets another.
		p.discard(in)
		res := timedOut(p.cfg.Timeout)
		res.Cold = cold
		return res, nil
	}
	res, err := p.lambdaAnswer(r.status, r.body, in.api.delivered.Load() > delivered)
	switch {
	case err != nil || res.FunctionError:
	case in.api.errored.Load():
		res = posted(r.body)
	case !in.api.responded.Load():
		// The answer reached the emulator some other way than through the
		// proxy: posted to its own Runtime API, perhaps as an error, which
		// its answer does not tell (red team round 18).
		res = around()
	}
	res.Cold = cold
	// After a failure or a timeout the emulator starts the runtime afresh
	// at the next invocation, as Lambda resets the environment.
	p.release(in, r.status != http.StatusOK || res.TimedOut)
	return res, err
}

// release makes an environment idle again, cold when its runtime will be
// started afresh.
func (p *Proc) release(in *instance, reset bool) {
	if reset {
		in.cold = true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		in.stop()
		return
	}
	p.idle = append(p.idle, in)
}

// discard ends an environment for good.
func (p *Proc) discard(in *instance) {
	p.mu.Lock()
	delete(p.live, in)
	p.mu.Unlock()
	in.stop()
}

// loadErrors are the error types with which a runtime says that it could
// not load the handler. Lambda's Python runtime reports a missing handler
// with each event rather than at init, so these mark a handler that cannot
// start whenever they come.
var loadErrors = map[string]bool{"Runtime.HandlerNotFound": true, "Runtime.MalformedHandlerName": true,
	"Runtime.ImportModuleError": true, "Runtime.UserCodeSyntaxError": true}

// raised reports whether an error's stack trace shows frames of code that
// ran (Python's `line N, in f`, Node.js's `at f (file:line:col)`): a
// runtime that could not load the handler reports none (Python's syntax
// error names its line as `Line N`), so a handler that raises an error
// named as a load error has still started, and refused or crashed (red team
// round 14). A handler that posts its own error to the Runtime API is not
// told apart.
func raised(body []byte) bool {
	for _, f := range gjson.GetBytes(body, "stackTrace").Array() {
		if s := f.String(); strings.Contains(s, ", in ") || strings.Contains(s, "    at ") {
			return true
		}
	}
	return false
}

// taskTimedOut is the emulator's plain-text answer when the function ran past
// its timeout.
var taskTimedOut = regexp.MustCompile(`^Task timed out after [0-9.]+ seconds$`)

// lambdaAnswer turns the emulator's answer into Lambda's. The emulator
// answers 502 both when the runtime failed before it took the event and
// when it failed with it (a panic, an exit, an answer over 6 MB); delivered
// says which: whether the runtime took this invocation from /next.
func (p *Proc) lambdaAnswer(status int, body []byte, delivered bool) (Result, error) {
	switch {
	case status == http.StatusOK && taskTimedOut.Match(bytes.TrimSpace(body)):
		return timedOut(p.cfg.Timeout), nil
	case status == http.StatusOK && !delivered && !IsErrorBody(body):
		// The runtime answered an event it never took through the proxy:
		// it took it from the emulator's own Runtime API, out of the
		// runner's sight and past its timeout. Lambda gives a function no
		// such way (red team round 16).
		return around(), nil
	case status == http.StatusOK:
		r := Result{Body: body, FunctionError: IsErrorBody(body)}
		if r.FunctionError {
			r.ErrorType = gjson.GetBytes(body, "errorType").String()
			r.Init = loadErrors[r.ErrorType] && !raised(body)
		}
		return r, nil
	case status == http.StatusBadGateway && IsErrorBody(body):
		// The runtime reported the error, or the emulator did for it
		// (Function.ResponseSizeTooLarge, Runtime.ExitError), as Lambda does.
		typ := gjson.GetBytes(body, "errorType").String()
		return Result{Body: body, FunctionError: true, Init: !delivered || (loadErrors[typ] && !raised(body)), ErrorType: typ}, nil
	case status == http.StatusBadGateway:
		// The runtime exited without reporting why; Lambda says
		// Runtime.ExitError with the exit status, which only the
		// emulator's log names.
		return Result{Body: errorBody("Runtime.ExitError", "RequestId: "+requestID()+" Error: "+exitReason(p.cfg.Logs)),
			FunctionError: true, Init: !delivered, ErrorType: "Runtime.ExitError"}, nil
	}
	return Result{}, fmt.Errorf("the emulator answered HTTP %d: %.300s", status, body)
}

// posted is Lambda's answer when the runtime posted the invocation's error
// with a body that is not an error object: a function error all the same,
// of type Unhandled, with the body as its payload (red team round 17).
func posted(body []byte) Result {
	return Result{Body: errorBody("Unhandled", fmt.Sprintf("the runtime posted this invocation's error: %.200s", body)), FunctionError: true, ErrorType: "Unhandled"}
}

// around is the answer to an invocation the runtime took or answered
// around its $AWS_LAMBDA_RUNTIME_API: an error of the runner's own type.
func around() Result {
	return Result{Body: errorBody(errAround, "the function answered an event it did not take from, or answer to, $AWS_LAMBDA_RUNTIME_API, the only Runtime API Lambda gives it"),
		FunctionError: true, ErrorType: errAround}
}

// errAround is the error type of an answer that went around the function's
// Runtime API; it is this runner's, not Lambda's.
const errAround = "Autoconfirm.AroundRuntimeAPI"

// timedOut is Lambda's answer when a function runs past its timeout.
func timedOut(limit time.Duration) Result {
	msg := fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID(), limit.Seconds())
	return Result{Body: errorBody("Sandbox.Timedout", msg), FunctionError: true, ErrorType: "Sandbox.Timedout", TimedOut: true}
}

func errorBody(typ, msg string) []byte {
	b, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
	return b
}

func requestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// exitReason finds the emulator's last "Runtime exited …" line in its log.
func exitReason(logs io.Writer) string {
	const fallback = "Runtime exited without providing a reason"
	b, ok := logs.(interface{ Bytes() []byte })
	if !ok {
		return fallback
	}
	m := regexp.MustCompile(`error=(Runtime exited[^\n]*?)(?: InvokeID=[^\n]*)?\n`).FindAllSubmatch(b.Bytes(), -1)
	if len(m) == 0 {
		return fallback
	}
	return string(m[len(m)-1][1])
}

// IsErrorBody reports whether a function's answer is the runtime's error
// object ({"errorMessage": …, "errorType": …}) rather than an event.
func IsErrorBody(b []byte) bool {
	r := gjson.ParseBytes(b)
	return r.IsObject() && r.Get("errorMessage").Type == gjson.String && !r.Get("triggerSource").Exists()
}
