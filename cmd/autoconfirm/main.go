// Command autoconfirm is the Cognito pre sign-up Lambda. Build it with
// `make build`; the result, dist/bootstrap, runs on the provided.al2023 runtime.
//
// Configuration comes from environment variables, read once here; see the
// docs/trigger.md for the table. A bad value stops the start with a message that names
// the variable and its allowed values.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/handler/cognito"
	"github.com/autoconfirm/autoconfirm/handler/guard"
)

func main() {
	h, err := setup(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "autoconfirm:", err)
		os.Exit(2)
	}
	lambda.Start(h)
}

func setup(ctx context.Context) (*handler.Handler, error) {
	cfg, err := handler.LoadConfig(os.Getenv)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	var dir guard.Directory
	if cfg.NeedsLookups() {
		// Only a configuration that asks the pool needs the SDK, and with it
		// credentials and IAM permissions. The AWS configuration is loaded
		// here, at init, so that a bad setting (AWS_MAX_ATTEMPTS=abc) stops
		// the start instead of failing every lookup of the instance's life.
		awsCfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("the AWS SDK settings are not valid: %w; fix the variable it names (or set ALIAS_POLICY=allow to run without lookups)", err)
		}
		dir = cognito.NewDirectory(cognito.NewClient(awsCfg))
	}
	return handler.New(cfg, dir, logger)
}
