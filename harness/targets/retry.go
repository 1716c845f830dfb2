package targets

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// LiveRetry tunes an SDK client for a test run against a real service:
// TooManyRequestsException and other retryable errors are retried with
// exponential backoff and jitter, up to 8 attempts, without the client-side
// retry quota that would otherwise fail fast under a burst.
func LiveRetry() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 8
		o.MaxBackoff = 5 * time.Second
		o.RateLimiter = ratelimit.None
	})
}
