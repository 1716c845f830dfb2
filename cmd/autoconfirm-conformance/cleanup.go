package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/harness/targets/open"
)

// runCleanup deletes the users that runs left behind, by username prefix.
func runCleanup(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer) (int, error) {
	fs := flag.NewFlagSet("autoconfirm-conformance cleanup", flag.ContinueOnError)
	poolID := fs.String("pool-id", getenv("COGNITO_USER_POOL_ID"), "user pool id (env COGNITO_USER_POOL_ID)")
	prefix := fs.String("prefix", targets.UserPrefix, "delete users whose username starts with this; it must start with "+targets.UserPrefix)
	if err := parse(fs, args, stdout, false); err != nil {
		return conformance.ExitUsage, err
	}
	if *poolID == "" {
		return conformance.ExitUsage, usageErrorf("cleanup needs --pool-id (or COGNITO_USER_POOL_ID)")
	}
	cfg, err := open.Config(ctx, *poolID)
	if err != nil {
		return conformance.ExitUsage, usageErrorf("%v", err)
	}
	api := cip.NewFromConfig(cfg, func(o *cip.Options) { o.Retryer = targets.LiveRetry() })
	n, err := targets.Cleanup(ctx, api, *poolID, *prefix, func(p string) { fmt.Fprintln(stdout, "cleanup:", p) })
	switch {
	case errors.Is(err, targets.ErrNotOurs):
		return conformance.ExitUsage, usageErrorf("%v", err)
	case err != nil:
		return conformance.ExitFailed, fmt.Errorf("cleanup stopped after deleting %d user(s): %w", n, err)
	}
	fmt.Fprintf(stdout, "cleanup: deleted %d user(s) with prefix %s from %s; none left\n", n, *prefix, *poolID)
	return conformance.ExitPass, nil
}
