package targets

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/cognito"
	"github.com/autoconfirm/autoconfirm/cognitofake"
	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/logjson"
)

// InProcess runs the handler in this process through aws-lambda-go's own
// Invoke path. The pool is a protocol-level fake, so the real SDK client runs.
// Each scenario gets its own fake and handler, so scenarios run concurrently.
type InProcess struct{}

// NewInProcess returns the default target.
func NewInProcess() *InProcess { return &InProcess{} }

// Name implements Target.
func (*InProcess) Name() string { return "inprocess" }

// Run implements Target.
func (*InProcess) Run(ctx context.Context, in *Input) (*Observation, error) {
	fake := cognitofake.New()
	defer fake.Close()
	poolID := gjson.GetBytes(in.Event, "userPoolId").Str
	for i, h := range in.Holders {
		u := cognitofake.User{Username: h.Username, Enabled: true, UserStatus: "CONFIRMED"}
		if u.Username == "" {
			u.Username = fmt.Sprintf("existing-user-%d", i+1)
		}
		for k, v := range h.Attributes {
			u.Attributes = append(u.Attributes, cognitofake.Attribute{Name: k, Value: v})
		}
		fake.Seed(poolID, u)
	}
	fake.SetFault(in.Fault)
	fake.SetLatency(in.Latency)
	fake.SetPageSize(in.PageSize)

	cfg := handler.DefaultConfig()
	if in.Policy != "" {
		cfg.Policy = in.Policy
	}
	if in.Budget > 0 {
		cfg.LookupTimeout = in.Budget
	}
	endpoint := fake.URL
	if in.Fault == cognitofake.FaultRefused {
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
	h, err := handler.New(cfg, cognito.NewLister(client), slog.New(logjson.New(io.Discard, slog.LevelDebug)))
	if err != nil {
		return nil, err
	}
	if in.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, in.Deadline)
		defer cancel()
	}
	start := time.Now()
	out, err := lambda.NewHandler(h).Invoke(ctx, in.Event)
	obs := &Observation{Elapsed: time.Since(start), Lookups: []string{}}
	for _, c := range fake.Calls() {
		obs.Lookups = append(obs.Lookups, c.Filter)
	}
	if err != nil {
		obs.Refused, obs.Message = true, err.Error()
		return obs, nil
	}
	obs.Response = out
	obs.readFlags()
	return obs, nil
}

// Cleanup implements Target: nothing outlives Run.
func (*InProcess) Cleanup(context.Context, *Input) error { return nil }
