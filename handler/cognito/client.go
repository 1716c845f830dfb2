package cognito

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// maxBackoff caps the SDK's retry delay. The default (20 s) is far beyond the
// trigger's 5 s; the guard's budget would cut a long wait off anyway, so short
// waits give a retry a real chance inside it.
const maxBackoff = 200 * time.Millisecond

// NewClient builds the SDK client from a loaded configuration, so region,
// credentials, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER
// all apply, and shortens retry backoff to fit the trigger's budget.
func NewClient(cfg aws.Config, optFns ...func(*cip.Options)) *cip.Client {
	tune := func(o *cip.Options) {
		o.Retryer = retry.AddWithMaxBackoffDelay(o.Retryer, maxBackoff)
	}
	return cip.NewFromConfig(cfg, append([]func(*cip.Options){tune}, optFns...)...)
}
