package targets

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/handler/cognito"
	"github.com/autoconfirm/autoconfirm/handler/guard"
	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
)

// InProcess runs the handler in this process through aws-lambda-go's own
// Invoke path. The pool is a protocol-level fake, so the real SDK client runs.
// Each scenario gets its own fake and handler, so scenarios run concurrently.
// The fake follows Cognito's documented rules and quotas.
type InProcess struct {
	// Lookup is the handler's ALIAS_LOOKUP unless a scenario needs another.
	Lookup handler.LookupMode
	// FaultRate is how many times faster than the wall clock a scenario
	// with timed faults runs (see Clock); zero is DefaultFaultRate, one the
	// wall clock.
	FaultRate int
}

// DefaultFaultRate runs a scenario's timed faults ten times as fast as
// the wall clock: the slowest, a lookup answered after 2.4 s, takes 0.24 s.
const DefaultFaultRate = 10

// Clock is the time a scenario runs on in process: Rate times as fast as
// the wall clock. Every duration the scenario names (the handler's budget
// and the time it keeps back to answer, the invocation's deadline, the
// pool's latency and late answers) is divided by Rate on the way in, and
// the time the answer took multiplied on the way out, so that the handler
// meets them in the order it would, in a fraction of the time.
type Clock struct{ Rate int }

// Wall is d, scenario time, on the wall clock.
func (c Clock) Wall(d time.Duration) time.Duration { return d / time.Duration(max(c.Rate, 1)) }

// Scenario is d, wall time, in scenario time.
func (c Clock) Scenario(d time.Duration) time.Duration { return d * time.Duration(max(c.Rate, 1)) }

// NewInProcess returns the default target, in the handler's default lookup mode.
func NewInProcess() *InProcess { return &InProcess{Lookup: handler.LookupAdminGetUser} }

// Name implements Target.
func (*InProcess) Name() string { return "inprocess" }

// Implementation implements Describer.
func (t *InProcess) Implementation() string {
	return fmt.Sprintf("autoconfirm's handler in this process (ALIAS_LOOKUP=%s), against a Cognito fake", t.Lookup)
}

// clock is the clock a scenario runs on: faster only when it times a
// fault, so that the ordinary scenarios' lookups keep the wall clock's
// budget on a loaded machine.
func (t *InProcess) clock(in *Input, fs FakeSettings) Clock {
	timed := fs.Fault != "" || fs.Latency > 0 || fs.Budget > 0 || fs.Deadline > 0 || len(in.ValueFaults) > 0
	if !timed {
		return Clock{Rate: 1}
	}
	if t.FaultRate == 0 {
		return Clock{Rate: DefaultFaultRate}
	}
	return Clock{Rate: t.FaultRate}
}

// Run implements Target.
func (t *InProcess) Run(ctx context.Context, in *Input) (*Observation, error) {
	fs := FakeSettings{}
	if in.Fake != nil {
		fs = *in.Fake
	}
	clock := t.clock(in, fs)
	fake := fakePool(in, fs, clock)
	defer fake.Close()
	endpoint := fake.URL
	if fs.Fault == FaultRefused {
		url, release, err := cognitofake.RefusingEndpoint()
		if err != nil {
			return nil, err
		}
		defer release()
		endpoint = url
	}
	h, err := t.handler(in, fs, clock, endpoint)
	if err != nil {
		return nil, err
	}
	if fs.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, clock.Wall(fs.Deadline))
		defer cancel()
	}
	start := time.Now()
	out, err := lambda.NewHandler(h).Invoke(ctx, in.Event)
	obs := &Observation{Elapsed: clock.Scenario(time.Since(start)), Lookups: []Lookup{}}
	for _, c := range fake.UserCalls() {
		obs.Lookups = append(obs.Lookups, Lookup{Op: c.Op, Filter: c.Filter, Username: c.Username})
	}
	if err != nil {
		obs.Refused, obs.Message, obs.ErrorType = true, err.Error(), errorTypeOf(err)
		return obs, nil
	}
	obs.Response = out
	obs.readAnswer(in.Event)
	return obs, nil
}

// fakePool is the scenario's pool: its users, faults and pages, its
// latency and late answers on the scenario's clock.
func fakePool(in *Input, fs FakeSettings, clock Clock) *cognitofake.Server {
	fake := cognitofake.New()
	poolID := gjson.GetBytes(in.Event, "userPoolId").Str
	pool := cognitofake.DefaultPoolConfig
	if fs.Pool != nil {
		pool = cognitofake.PoolConfig{AliasAttributes: fs.Pool.AliasAttributes, UsernameAttributes: fs.Pool.UsernameAttributes}
	}
	fake.CreatePool(poolID, pool)
	for i, h := range in.Holders {
		u := cognitofake.User{Username: h.Username, Enabled: !h.Disabled, UserStatus: "CONFIRMED"}
		if u.Username == "" {
			u.Username = fmt.Sprintf("existing-user-%d", i+1)
		}
		for k, v := range h.Attributes {
			u.Attributes = append(u.Attributes, cognitofake.Attribute{Name: k, Value: v})
		}
		fake.Seed(poolID, u)
	}
	fake.SetFault(cognitofake.Fault(fs.Fault))
	fake.SetDescribeFault(cognitofake.Fault(fs.DescribeFault))
	fake.SetLatency(clock.Wall(fs.Latency))
	fake.SetPageSize(fs.PageSize)
	for _, f := range in.ValueFaults {
		kind := cognitofake.Fault(f.Fault)
		if f.Fault == FaultLate {
			kind = cognitofake.FaultNone
		}
		fake.SetValueFault(f.Value, kind, clock.Wall(f.Delay))
	}
	return fake
}

// handler is autoconfirm's handler as the scenario configures it, its
// budget on the scenario's clock, asking the pool at endpoint.
func (t *InProcess) handler(in *Input, fs FakeSettings, clock Clock, endpoint string) (*handler.Handler, error) {
	cfg := handler.DefaultConfig()
	cfg.Lookup = t.Lookup
	if in.Lookup != "" {
		cfg.Lookup = in.Lookup
	}
	if in.Policy != "" {
		cfg.Policy = in.Policy
	}
	if fs.Budget > 0 {
		cfg.LookupTimeout = fs.Budget
	}
	cfg.LookupTimeout = clock.Wall(cfg.LookupTimeout)
	cfg.LookupReserve = clock.Wall(guard.DefaultReserve)
	client := cognito.NewClient(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "fake-secret", ""),
		BaseEndpoint: aws.String(endpoint),
	}, func(o *cip.Options) { o.Retryer = clockRetryer{o.Retryer, clock} })
	// The production log handler runs too, at its most verbose.
	return handler.New(cfg, cognito.NewDirectory(client), slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug})))
}

// clockRetryer waits between the SDK's attempts on the scenario's clock.
type clockRetryer struct {
	aws.Retryer
	clock Clock
}

// RetryDelay is the SDK's own delay, on the scenario's clock.
func (r clockRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	d, err := r.Retryer.RetryDelay(attempt, err)
	return r.clock.Wall(d), err
}

// Cleanup implements Target: nothing outlives Run.
func (*InProcess) Cleanup(context.Context, *Input) error { return nil }

// errorTypeOf names an error's type as aws-lambda-go names it in
// errorType: the type's name, through a pointer.
func errorTypeOf(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
