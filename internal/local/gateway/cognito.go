package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/internal/local/rie"
)

// Cognito returns the Invoke API as Cognito uses it: an attempt that has not
// answered in 5 s is abandoned and made again, up to three times; after the
// third, the sign-up fails. The lambda target judges the answer it gives.
func (g *Gateway) Cognito() http.Handler { return g.cognito(false, "") }

// Pool returns the same API for the local pool, cognito-local, in the pool's
// region. Its events get the region and version Cognito sends, where
// cognito-local writes its own (rules §21), and, for an answer Cognito would
// not take, it gets the failure Cognito reports (refuseAnswer), so that the
// pool fails the sign-ups Cognito fails.
func (g *Gateway) Pool(region string) http.Handler { return g.cognito(true, region) }

func (g *Gateway) cognito(asPool bool, region string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := g.request(w, r)
		if !ok {
			return
		}
		if asPool {
			body = asCognitoSends(body, region)
		}
		res, _, err := g.AsCognito(r.Context(), body)
		if r.Context().Err() != nil {
			return
		}
		if asPool && err == nil && !res.FunctionError && g.refuseAnswer(w, body, res.Body) {
			return
		}
		g.answer(w, r, res, err)
	})
}

// asCognitoSends puts in a cognito-local event the region and version
// Cognito sends (rules §21); cognito-local sends "local" and "0".
func asCognitoSends(event []byte, region string) []byte {
	for path, value := range map[string]string{"region": region, "version": "1"} {
		if gjson.GetBytes(event, path).Type != gjson.String {
			continue
		}
		if out, err := sjson.SetBytes(event, path, value); err == nil {
			event = out
		}
	}
	return event
}

// RefusedAnswerType is the errorType of an answer Cognito does not take,
// as the gateway reports it to cognito-local.
const RefusedAnswerType = "Cognito.AnswerRefused"

// unreadableAnswer is what the gateway gives cognito-local for an answer
// Cognito cannot read: text its JSON.parse fails on, so that it answers
// InvalidLambdaResponseException as Cognito does.
const unreadableAnswer = "autoconfirm: Cognito cannot read this answer (rules §1, §11)"

// refuseAnswer answers cognito-local for an answer that Cognito would not
// take, and says whether it did. cognito-local reads any JSON it can parse
// and acts on whatever flags are truthy, without Cognito's rules on the
// answer: the whole answer read as Cognito reads it (rules §1, §11), no
// verify flag without autoConfirmUser (§2) and none for an attribute the
// user did not give (§3). So the pool would confirm or verify a user that
// Cognito refuses. A refused answer becomes a function error with Cognito's
// text, where known, which cognito-local passes on as Cognito passes on its
// own; it is not counted as the function's error.
func (g *Gateway) refuseAnswer(w http.ResponseWriter, event, answer []byte) bool {
	a, err := targets.ReadAnswer(answer)
	if err != nil {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, unreadableAnswer)
		g.stats.Invokes.Add(1)
		return true
	}
	why := targets.AnswerRefusal(event, a)
	if why == "" {
		return false
	}
	body, _ := json.Marshal(map[string]string{"errorType": RefusedAnswerType, "errorMessage": why})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	w.Header().Set("X-Amz-Function-Error", "Unhandled")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	g.stats.Invokes.Add(1)
	return true
}

// AsCognito invokes the function as Cognito does and returns the answer
// Cognito would act on, and how many attempts it made. An attempt that has
// not answered in 5 s is abandoned: its context ends, and the Invoker lets
// it run on in its own execution environment, as Lambda does, so the next
// attempt finds that environment busy and may start cold in another.
//
// An attempt's 5 s start when the invocation is sent to its environment,
// not while it waits for one: past the runner's limit on environments,
// that wait is the runner's, not Cognito's, to count.
func (g *Gateway) AsCognito(ctx context.Context, body []byte) (rie.Result, int, error) {
	g.stats.SignUps.Add(1)
	cold := 0 // abandoned attempts that started cold
	for n := 1; n <= g.attempts; n++ {
		a, answered := g.try(ctx, body)
		switch {
		case ctx.Err() != nil:
			return rie.Result{}, n, ctx.Err()
		case !answered:
			if a.res.Cold {
				cold++
			}
			continue
		case n > 1:
			g.stats.Retried.Add(1)
			if g.retried != nil {
				g.retried(n, true)
			}
		}
		return a.res, n, a.err
	}
	g.stats.TimedOut.Add(1)
	if g.retried != nil {
		g.retried(g.attempts, false)
	}
	why := ""
	if cold > 1 {
		why = fmt.Sprintf("; %d of the attempts started cold, each in a new execution environment while the abandoned ones still ran, as Lambda may run them: a handler must answer within %s from a cold start", cold, g.attempt)
	}
	return rie.Result{FunctionError: true, ErrorType: TimeoutType, TimedOut: true, Body: []byte(fmt.Sprintf(
		`{"errorType":%q,"errorMessage":"%s: no answer within %s in %d attempts%s; Cognito says \"PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.\""}`,
		TimeoutType, TimedOutText, g.attempt, g.attempts, why))}, g.attempts, nil
}

type answer struct {
	res rie.Result
	err error
}

// try makes one of Cognito's attempts: the answer, if it came within
// the attempt's time (or the invocation never started), else the abandoned
// invocation's Result, which says whether it started cold.
func (g *Gateway) try(ctx context.Context, body []byte) (answer, bool) {
	actx, abandon := context.WithCancel(ctx)
	defer abandon()
	done := make(chan answer, 1)
	started := make(chan struct{})
	go func() {
		res, err := g.invokeStarted(actx, body, started)
		done <- answer{res, err}
	}()
	select {
	case <-ctx.Done():
		return answer{err: ctx.Err()}, true
	case <-started:
	case a := <-done: // it never started: the delay or the context ended it
		return a, true
	}
	select {
	case <-ctx.Done():
		return answer{err: ctx.Err()}, true
	case a := <-done:
		return a, true
	case <-time.After(g.attempt):
		abandon()
		return <-done, false
	}
}

// TimedOutText starts the message of a sign-up Cognito would have failed for
// want of an answer; TimeoutType is its errorType.
const (
	TimedOutText = "timed out: Cognito would fail it"
	TimeoutType  = "Cognito.Timeout"
)
