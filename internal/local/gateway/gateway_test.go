package gateway

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/autoconfirm/autoconfirm/harness/deployed"
	"github.com/autoconfirm/autoconfirm/internal/local/rie"
)

// fakeFn echoes, fails on "fail", and records the most invokes at once.
type fakeFn struct {
	inFlight, most atomic.Int64
}

func (f *fakeFn) Invoke(_ context.Context, p []byte) (rie.Result, error) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.most.Load()
		if n <= m || f.most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond)
	if string(p) == `"fail"` {
		b := []byte(`{"errorMessage":"boom","errorType":"EventError"}`)
		return rie.Result{Body: b, FunctionError: rie.IsErrorBody(b)}, nil
	}
	return rie.Result{Body: p}, nil
}

// TestGatewayWithTheSDK drives the gateway with the real Lambda client.
func TestGatewayWithTheSDK(t *testing.T) {
	fn := &fakeFn{}
	gw := New(fn)

	srv := httptest.NewServer(gw)
	defer srv.Close()
	client := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})

	out, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:PreSignUp"), Payload: []byte(`{"a":1}`)})
	if err != nil || string(out.Payload) != `{"a":1}` || out.FunctionError != nil {
		t.Fatalf("echo: %v %s %v", err, out.Payload, out.FunctionError)
	}
	out, err = client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("PreSignUp"), Payload: []byte(`"fail"`)})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("error: %v %v", err, out.FunctionError)
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("f"), Payload: []byte(`{}`)})
		}()
	}
	wg.Wait()
	// Each takes an environment of its own from the Invoker, as on
	// Lambda: the gateway does not hold one back behind another.
	if fn.most.Load() < 2 {
		t.Errorf("%d invokes reached the function at once, want concurrent ones", fn.most.Load())
	}
	if inv, errs := gw.Stats().Invokes.Load(), gw.Stats().FunctionErrors.Load(); inv != 18 || errs != 1 {
		t.Errorf("counts %d invokes, %d errors", inv, errs)
	}
}

// slowFn answers after the delays given, one per call, in order; it honours
// cancellation as the emulator does when an attempt is abandoned.
type slowFn struct {
	mu     sync.Mutex
	delays []time.Duration
	calls  int
}

func (f *slowFn) Invoke(ctx context.Context, p []byte) (rie.Result, error) {
	f.mu.Lock()
	d := f.delays[min(f.calls, len(f.delays)-1)]
	f.calls++
	f.mu.Unlock()
	select {
	case <-time.After(d):
		return rie.Result{Body: p}, nil
	case <-ctx.Done():
		return rie.Result{}, ctx.Err()
	}
}

// TestCognitoPacing: an attempt without an answer in time is made again, up
// to three times, and the abandoned one is told so; after the third the
// sign-up fails as "timed out".
func TestCognitoPacing(t *testing.T) {
	for _, tt := range []struct {
		name       string
		delays     []time.Duration
		calls      int
		timedOut   bool
		retried    int64
		reportedOn int
	}{
		{"answers at once", []time.Duration{0}, 1, false, 0, 0},
		{"a slow cold start, then warm", []time.Duration{120 * time.Millisecond, 0}, 2, false, 1, 2},
		{"never in time", []time.Duration{200 * time.Millisecond}, 3, true, 0, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fn := &slowFn{delays: tt.delays}
			g := New(fn)
			g.attempt = 50 * time.Millisecond
			reported := 0
			g.OnRetry(func(n int, answered bool) { reported = n })
			res, n, err := g.AsCognito(context.Background(), []byte(`{"a":1}`))
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.calls {
				t.Errorf("%d attempts, want %d", n, tt.calls)
			}
			// The abandoned attempts end; none is made again.
			time.Sleep(time.Duration(tt.calls) * 250 * time.Millisecond)
			fn.mu.Lock()
			calls := fn.calls
			fn.mu.Unlock()
			if calls != tt.calls {
				t.Errorf("the handler ran %d times, want %d", calls, tt.calls)
			}
			if res.TimedOut != tt.timedOut || (tt.timedOut && !strings.Contains(string(res.Body), TimedOutText)) {
				t.Errorf("answer %s, timed out %v", res.Body, res.TimedOut)
			}
			if got := g.Stats().Retried.Load(); got != tt.retried {
				t.Errorf("retried %d, want %d", got, tt.retried)
			}
			if reported != tt.reportedOn {
				t.Errorf("reported after %d attempts, want %d", reported, tt.reportedOn)
			}
		})
	}
}

// queuedFn has one execution environment, as *rie.Proc has at its limit:
// an invocation waits for it, and says it started (rie.WithStart) only
// once it has it.
type queuedFn struct {
	env chan struct{}
	run time.Duration
}

func (f *queuedFn) TellsStart() {}

func (f *queuedFn) Invoke(ctx context.Context, p []byte) (rie.Result, error) {
	select {
	case f.env <- struct{}{}:
	case <-ctx.Done():
		return rie.Result{}, ctx.Err()
	}
	defer func() { <-f.env }()
	rie.Started(ctx)
	time.Sleep(f.run)
	return rie.Result{Body: p}, nil
}

// TestQueueIsNotCognitosClock: concurrent sign-ups that wait for an
// environment here, where Lambda would give each its own, do not count the
// wait against an attempt's time, so none of them is retried.
func TestQueueIsNotCognitosClock(t *testing.T) {
	// Each runs 100 ms, well inside an attempt of 250 ms even on a loaded
	// machine; the fourth queues for 300 ms, which would be past it.
	fn := &queuedFn{env: make(chan struct{}, 1), run: 100 * time.Millisecond}
	g := New(fn)
	g.attempt = 250 * time.Millisecond
	var wg sync.WaitGroup
	attempts := make(chan int, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, n, err := g.AsCognito(context.Background(), []byte(`{}`))
			if err != nil || res.TimedOut {
				t.Errorf("answer %s, err %v", res.Body, err)
			}
			attempts <- n
		}()
	}
	wg.Wait()
	close(attempts)
	for n := range attempts {
		if n != 1 {
			t.Errorf("a sign-up took %d attempts, want 1: the queue was counted", n)
		}
	}
	if got := g.Stats().Retried.Load(); got != 0 {
		t.Errorf("%d sign-ups retried, want 0", got)
	}
}

// TestCognitoOverHTTP: Cognito's path answers a sign-up that timed out as a
// function error the Lambda client reads, with Cognito's reason.
func TestCognitoOverHTTP(t *testing.T) {
	g := New(&slowFn{delays: []time.Duration{time.Second}})
	g.attempt = 20 * time.Millisecond
	srv := httptest.NewServer(g.Cognito())
	defer srv.Close()
	client := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	out, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("PreSignUp"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Socket timeout while invoking Lambda function") {
		t.Errorf("function error %q, payload %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

// TestConfiguration: the gateway names the function it hosts as Lambda's
// GetFunctionConfiguration does, by name, ARN or $LATEST, and no other.
func TestConfiguration(t *testing.T) {
	g := New(&fakeFn{})
	arn := "arn:aws:lambda:us-east-1:000000000000:function:PreSignUp"
	g.SetConfiguration(Configuration{FunctionName: "PreSignUp", FunctionArn: arn, Runtime: "nodejs22.x", Handler: "index.handler",
		CodeSha256: "abc=", CodeSize: 10, Timeout: 3, MemorySize: 128, Architectures: []string{"x86_64"}, Version: "$LATEST",
		LastModified: "2026-11-29T12:00:00.000+0000", PackageType: "Zip"})
	srv := httptest.NewServer(g)
	defer srv.Close()
	client := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	for _, tt := range []struct {
		name  string
		found bool
	}{
		{"PreSignUp", true}, {arn, true}, {"PreSignUp:$LATEST", true}, {"000000000000:function:PreSignUp", true},
		{"Other", false}, {"PreSignUp:3", false}, {"arn:aws:lambda:eu-west-1:000000000000:function:PreSignUp", false},
	} {
		f, err := deployed.Read(context.Background(), client, tt.name)
		var missing *ltypes.ResourceNotFoundException
		switch {
		case tt.found && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.found && (f.CodeSha256 != "abc=" || f.ARN != arn || f.Timeout != 3*time.Second || f.Runtime != "nodejs22.x"):
			t.Errorf("%s: read %+v", tt.name, f)
		case !tt.found && !errors.As(err, &missing):
			t.Errorf("%s: %v, want ResourceNotFoundException", tt.name, err)
		}
	}
	out, err := client.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("PreSignUp")})
	if err != nil || aws.ToString(out.Configuration.CodeSha256) != "abc=" {
		t.Errorf("GetFunction: %v", err)
	}
	// Once it names its function, it invokes no other, as Lambda would not.
	if _, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(arn), Payload: []byte(`{}`)}); err != nil {
		t.Errorf("invoking the hosted function by its ARN: %v", err)
	}
	var missing *ltypes.ResourceNotFoundException
	if _, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("Other"), Payload: []byte(`{}`)}); !errors.As(err, &missing) {
		t.Errorf("invoking another function: %v, want ResourceNotFoundException", err)
	}
}

// coldFn never answers in time, and starts every invocation cold, as a
// handler does that needs more than an attempt's time to start.
type coldFn struct{ abandoned atomic.Int64 }

func (f *coldFn) Invoke(ctx context.Context, p []byte) (rie.Result, error) {
	select {
	case <-time.After(time.Second):
		return rie.Result{Body: p, Cold: true}, nil
	case <-ctx.Done():
		f.abandoned.Add(1)
		return rie.Result{Cold: true}, ctx.Err()
	}
}

// TestAbandonedAttemptsLeaveTheirEnvironment: Cognito's abandoned attempt
// ends its invocation's context, so that the Invoker can run the retry
// elsewhere; the cold starts are counted, and a sign-up that timed out
// because every attempt started cold says so.
func TestAbandonedAttemptsLeaveTheirEnvironment(t *testing.T) {
	fn := &coldFn{}
	g := New(fn)
	g.attempt = 30 * time.Millisecond
	res, n, err := g.AsCognito(context.Background(), []byte(`{}`))
	if err != nil || n != 3 || !res.TimedOut {
		t.Fatalf("answer %s after %d attempts, err %v", res.Body, n, err)
	}
	if got := fn.abandoned.Load(); got != 3 {
		t.Errorf("%d abandoned attempts were told so, want 3", got)
	}
	if got := g.Stats().ColdStarts.Load(); got != 3 {
		t.Errorf("%d cold starts counted, want 3", got)
	}
	if !strings.Contains(string(res.Body), "3 of the attempts started cold") {
		t.Errorf("the answer does not say why: %s", res.Body)
	}
}

// answerFn answers every sign-up with the same response.
type answerFn struct{ response string }

func (f answerFn) Invoke(_ context.Context, p []byte) (rie.Result, error) {
	if f.response == "fail" {
		b := []byte(`{"errorMessage":"staff only","errorType":"Error"}`)
		return rie.Result{Body: b, FunctionError: true, ErrorType: "Error"}, nil
	}
	return rie.Result{Body: []byte(`{"triggerSource":"PreSignUp_SignUp","response":` + f.response + `}`)}, nil
}

// TestCognitoRefusesAnswers: cognito-local takes any answer it can parse,
// so the gateway's Cognito path fails a sign-up whose answer Cognito would
// refuse (rules §2, §3) with a function error cognito-local passes on, and
// one it cannot read (rules §1) with a body cognito-local cannot parse; an
// answer Cognito takes, and the function's own error, pass unchanged.
func TestCognitoRefusesAnswers(t *testing.T) {
	const (
		phoneOnly = `{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"phone_number":"+15555550100"}}}`
		neither   = `{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"name":"x"}}}`
		withEmail = `{"triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{"email":"a@example.com"}}}`
		admin     = `{"triggerSource":"PreSignUp_AdminCreateUser","request":{"userAttributes":{"name":"x"}}}`
	)
	verifyBoth := `{"autoConfirmUser":true,"autoVerifyEmail":true,"autoVerifyPhone":false}`
	for _, tt := range []struct {
		name, event, response string
		fnError               bool   // X-Amz-Function-Error set
		says                  string // in the payload
		counted               bool   // counted as the function's error
	}{
		{"§3: verify email, phone-only", phoneOnly, verifyBoth, true, "autoVerifyEmail is set, but the user gave no email", false},
		{"§3: verify email, neither", neither, verifyBoth, true, "autoVerifyEmail is set, but the user gave no email", false},
		{"§3: verify phone, email only", withEmail, `{"autoConfirmUser":true,"autoVerifyPhone":true}`, true, "autoVerifyPhone is set, but the user gave no phone_number", false},
		{"§2: verify without confirm", withEmail, `{"autoConfirmUser":false,"autoVerifyEmail":true}`, true, "Phone or email cannot be auto verified, when user is not being auto confirmed.", false},
		{"§1: a flag that is no boolean", withEmail, `{"autoConfirmUser":"true"}`, false, "Cognito cannot read this answer", false},
		{"taken: verify the email given", withEmail, verifyBoth, false, `"autoVerifyEmail":true`, false},
		{"taken: flags ignored on AdminCreateUser", admin, verifyBoth, false, `"autoVerifyEmail":true`, false},
		{"the function's own error", phoneOnly, "fail", true, "staff only", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := New(answerFn{tt.response})
			srv := httptest.NewServer(g.Pool("us-east-1"))
			defer srv.Close()
			client := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
			out, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("PreSignUp"), Payload: []byte(tt.event)})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.FunctionError) != ""; got != tt.fnError || !strings.Contains(string(out.Payload), tt.says) {
				t.Errorf("function error %q, payload %s; want a function error %t, saying %q", aws.ToString(out.FunctionError), out.Payload, tt.fnError, tt.says)
			}
			if got := g.Stats().FunctionErrors.Load() == 1; got != tt.counted {
				t.Errorf("counted as the function's error: %t, want %t", got, tt.counted)
			}
			// The lambda target, on the Cognito path, sees the answer itself.
			direct := httptest.NewServer(New(answerFn{tt.response}).Cognito())
			defer direct.Close()
			client = lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(direct.URL), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
			if out, err = client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("PreSignUp"), Payload: []byte(tt.event)}); err != nil {
				t.Fatal(err)
			}
			if tt.response != "fail" && (out.FunctionError != nil || !strings.Contains(string(out.Payload), tt.response)) {
				t.Errorf("the Cognito path changed the answer: %q %s", aws.ToString(out.FunctionError), out.Payload)
			}
		})
	}
}

// seenFn answers every invocation with the event it was given, and keeps it.
type seenFn struct{ seen chan []byte }

func (f seenFn) Invoke(_ context.Context, p []byte) (rie.Result, error) {
	f.seen <- append([]byte(nil), p...)
	return rie.Result{Body: p}, nil
}

// TestPoolEventsAsCognitoSends: cognito-local's events say region "local"
// and version "0"; the function gets the pool's region and "1", as from
// Cognito (rules §21), and every other byte as cognito-local sent it.
func TestPoolEventsAsCognitoSends(t *testing.T) {
	f := seenFn{make(chan []byte, 1)}
	srv := httptest.NewServer(New(f).Pool("eu-west-2"))
	defer srv.Close()
	client := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	event := `{"version":"0","triggerSource":"PreSignUp_SignUp","region":"local","userPoolId":"local_1","callerContext":{"clientId":"c1"},"request":{"userAttributes":{}},"response":{}}`
	if _, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("PreSignUp"), Payload: []byte(event)}); err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer(`"version":"0"`, `"version":"1"`, `"region":"local"`, `"region":"eu-west-2"`).Replace(event)
	if got := string(<-f.seen); got != want {
		t.Errorf("the function got %s\nwant %s", got, want)
	}
}
