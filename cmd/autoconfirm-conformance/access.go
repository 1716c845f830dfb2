package main

import (
	"context"
	"errors"

	"github.com/autoconfirm/autoconfirm/harness/targets/open"
	"github.com/autoconfirm/autoconfirm/internal/local/stack"
)

// liveAccess is how a run reaches AWS: the SDK's default configuration, or,
// under --emulator autoconfirm-local, the local stack's endpoints alone.
func liveAccess(ctx context.Context, o suiteOptions) (open.Access, error) {
	if o.emulator == "autoconfirm-local" {
		return open.Local(stack.Region, o.cognitoEndpoint, o.lambdaEndpoint)
	}
	if o.cognitoEndpoint != "" || o.lambdaEndpoint != "" {
		return open.Access{}, errors.New("--cognito-endpoint and --lambda-endpoint are for --emulator autoconfirm-local, the local command's own runs; to point a run elsewhere, set AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER and AWS_ENDPOINT_URL_LAMBDA")
	}
	return open.AWS(ctx, o.poolID)
}
