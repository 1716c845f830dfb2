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
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/handler/cognito"
	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
)

// InProcess runs the handler in this process through aws-lambda-go's own
// Invoke path. The pool is a protocol-level fake, so the real SDK client runs.
// Each scenario gets its own fake and handler, so scenarios run concurrently.
// The fake follows Cognito's documented rules and quotas.
type InProcess struct {
	// Lookup is the handler's ALIAS_LOOKUP unless a scenario needs another.
	Lookup handler.LookupMode
}

// NewInProcess returns the default target, in the handler's default lookup mode.
func NewInProcess() *InProcess { return &InProcess{Lookup: handler.LookupAdminGetUser} }

// Name implements Target.
func (*InProcess) Name() string { return "inprocess" }

// Implementation implements Describer.
func (t *InProcess) Implementation() string {
	return fmt.Sprintf("autoconfirm's handler in this process (ALIAS_LOOKUP=%s), against a Cognito fake", t.Lookup)
}

// Run implements Target.
func (t *InProcess) Run(ctx context.Context, in *Input) (*Observation, error) {
	fake := cognitofake.New()
	defer fake.Close()
	poolID := gjson.GetBytes(in.Event, "userPoolId").Str
	fs := FakeSettings{}
	if in.Fake != nil {
		fs = *in.Fake
	}
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
	fake.SetLatency(fs.Latency)
	fake.SetPageSize(fs.PageSize)
	for _, f := range in.ValueFaults {
		kind := cognitofake.Fault(f.Fault)
		if f.Fault == FaultLate {
			kind = cognitofake.FaultNone
		}
		fake.SetValueFault(f.Value, kind, f.Delay)
	}

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
	endpoint := fake.URL
	if fs.Fault == FaultRefused {
		url, release, err := cognitofake.RefusingEndpoint()
		if err != nil {
			return nil, err
		}
		defer release()
		endpoint = url
	}
	client := cognito.NewClient(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "fake-secret", ""),
		BaseEndpoint: aws.String(endpoint),
	})
	// The production log handler runs too, at its most verbose.
	h, err := handler.New(cfg, cognito.NewDirectory(client), slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		return nil, err
	}
	if fs.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, fs.Deadline)
		defer cancel()
	}
	start := time.Now()
	out, err := lambda.NewHandler(h).Invoke(ctx, in.Event)
	obs := &Observation{Elapsed: time.Since(start), Lookups: []Lookup{}}
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
