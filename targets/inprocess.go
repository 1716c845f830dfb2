package targets

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/cognito"
	"github.com/autoconfirm/autoconfirm/cognitofake"
	"github.com/autoconfirm/autoconfirm/handler"
)

// InProcess runs the handler in this process through aws-lambda-go's own
// Invoke path. The pool is a protocol-level fake, so the real SDK client runs.
type InProcess struct {
	mu   sync.Mutex
	logs map[*Input]*bytes.Buffer
}

// NewInProcess returns the default target.
func NewInProcess() *InProcess { return &InProcess{logs: map[*Input]*bytes.Buffer{}} }

// Name implements Target.
func (*InProcess) Name() string { return "inprocess" }

// Run implements Target.
func (t *InProcess) Run(ctx context.Context, in *Input) (*Observation, error) {
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
	logs := &bytes.Buffer{}
	h, err := handler.New(cfg, cognito.NewLister(client), slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
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
	t.mu.Lock()
	t.logs[in] = logs
	t.mu.Unlock()
	if err != nil {
		obs.Refused, obs.Message = true, err.Error()
		return obs, nil
	}
	obs.Response = out
	obs.readFlags()
	return obs, nil
}

// Logs returns what the handler logged for an input.
func (t *InProcess) Logs(in *Input) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if b := t.logs[in]; b != nil {
		return b.Bytes()
	}
	return nil
}

// Cleanup implements Target.
func (t *InProcess) Cleanup(_ context.Context, in *Input) error {
	t.mu.Lock()
	delete(t.logs, in)
	t.mu.Unlock()
	return nil
}
