// Command autoconfirm is the Cognito pre sign-up Lambda. Build it with
// `make build`; the result, dist/bootstrap, runs on the provided.al2023 runtime.
//
// Configuration comes from environment variables, read once here; see the
// README for the table. A bad value stops the start with a message that names
// the variable and its allowed values.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/autoconfirm/autoconfirm/cognito"
	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/logjson"
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
	logger := slog.New(logjson.New(os.Stdout, cfg.LogLevel))
	var lister handler.UserLister
	if cfg.NeedsLookups() {
		// Only a policy that looks the pool up needs the SDK, and with it
		// credentials and the cognito-idp:ListUsers permission. The client
		// is built in the background, off the cold-start path; a lookup
		// waits for it, inside the guard's budget.
		lister = cognito.NewLazy(func() (handler.UserLister, error) {
			awsCfg, err := config.LoadDefaultConfig(ctx)
			if err != nil {
				err = fmt.Errorf("loading the AWS configuration for ALIAS_POLICY=%s: %w (fix the AWS settings, or set ALIAS_POLICY=allow to run without ListUsers)", cfg.Policy, err)
				logger.Error("startup", "error", err.Error())
				return nil, err
			}
			return cognito.NewLister(cognito.NewClient(awsCfg)), nil
		})
	}
	return handler.New(cfg, lister, logger)
}
