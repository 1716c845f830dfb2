package burst

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/handler/cognito"
	"github.com/autoconfirm/autoconfirm/internal/local/rie"
)

// InProcess starts handlers in this process, each with its own SDK client, as
// each Lambda instance has.
func InProcess(cfg handler.Config) func(context.Context, string) (Instance, error) {
	return func(_ context.Context, endpoint string) (Instance, error) {
		client := cognito.NewClient(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
			Credentials: credentials.NewStaticCredentialsProvider("burst", "burst", "")})
		h, err := handler.New(cfg, cognito.NewDirectory(client), slog.New(slog.DiscardHandler))
		if err != nil {
			return nil, err
		}
		return handlerInstance{h}, nil
	}
}

type handlerInstance struct{ h *handler.Handler }

func (i handlerInstance) Invoke(ctx context.Context, p []byte) ([]byte, error) {
	return i.h.Invoke(ctx, p)
}
func (handlerInstance) Close() {}

// Bootstrap starts a Lambda binary under the Runtime Interface Emulator per
// instance, with env added to the fake's endpoint and dummy credentials.
func Bootstrap(rieBin, bootstrap string, env ...string) func(context.Context, string) (Instance, error) {
	return func(ctx context.Context, endpoint string) (Instance, error) {
		e := append([]string{"AWS_ENDPOINT_URL=" + endpoint, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=burst",
			"AWS_SECRET_ACCESS_KEY=burst", "AWS_CA_BUNDLE=", "LOG_LEVEL=error"}, env...)
		p, err := rie.Start(ctx, rieBin, bootstrap, e, nil)
		if err != nil {
			return nil, err
		}
		return rieInstance{p}, nil
	}
}

type rieInstance struct{ p *rie.Proc }

func (i rieInstance) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	r, err := i.p.Invoke(ctx, payload)
	if err != nil {
		return nil, err
	}
	if r.FunctionError {
		return nil, errors.New(gjson.GetBytes(r.Body, "errorMessage").Str)
	}
	return r.Body, nil
}

func (i rieInstance) Close() { i.p.Stop() }
