package open

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/autoconfirm/autoconfirm/harness/deployed"
	"github.com/autoconfirm/autoconfirm/harness/secrethash"
)

// preflightTimeout bounds the checks a live run makes before it starts.
const preflightTimeout = 10 * time.Second

// preflight checks, with one cheap read each and no retries, that the pool
// (DescribeUserPool) and the function (a DryRun invoke, which runs nothing)
// answer with the credentials at hand. A run that cannot reach them would
// otherwise report every scenario as failed, or hang on retries. It returns
// the pool's PreSignUp trigger, as the pool names it.
func preflight(ctx context.Context, acc Access, poolID, function string) (trigger string, err error) {
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	if poolID != "" {
		if trigger, err = poolTrigger(ctx, acc, poolID); err != nil {
			return "", err
		}
	}
	if function != "" {
		api := acc.Lambda(func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
		_, err := transient(ctx, func() (*lambda.InvokeOutput, error) {
			return api.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(function), InvocationType: ltypes.InvocationTypeDryRun})
		})
		if err != nil {
			return "", fmt.Errorf("cannot reach the function %s in %s before the run: %w\n  check the function name or ARN, AWS_REGION, the credentials, lambda:InvokeFunction on it, and AWS_ENDPOINT_URL_LAMBDA if you use an emulator", function, acc.Region(), err)
		}
	}
	return trigger, nil
}

// poolTrigger reads the pool's PreSignUp trigger with DescribeUserPool.
func poolTrigger(ctx context.Context, acc Access, poolID string) (string, error) {
	once := func(o *cip.Options) { o.RetryMaxAttempts = 1 }
	out, err := transient(ctx, func() (*cip.DescribeUserPoolOutput, error) {
		return acc.Cognito(once).DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	})
	if err != nil && acc.Local() {
		return "", fmt.Errorf("the local pool %s at %s does not answer (%w): cognito-local ended before this depth ran; run again, and report it if it happens again", poolID, acc.cognitoURL, err)
	}
	if err != nil {
		return "", fmt.Errorf("cannot reach the user pool %s in %s before the run: %w\n  check the pool id, AWS_REGION, the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID), cognito-idp:DescribeUserPool on the pool, and AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER if you use an emulator", poolID, acc.Region(), err)
	}
	if out.UserPool != nil && out.UserPool.LambdaConfig != nil {
		return aws.ToString(out.UserPool.LambdaConfig.PreSignUp), nil
	}
	return "", nil
}

// transient makes call again, up to three times in all, while it fails
// without an answer from the service (a connection that broke, not an API
// error): a loopback connection to the local stack can break once on a
// loaded machine, which is no setup error. ctx bounds the whole.
func transient[T any](ctx context.Context, call func() (T, error)) (T, error) {
	var out T
	var err error
	for range 3 {
		out, err = call()
		var api smithy.APIError
		if err == nil || errors.As(err, &api) || ctx.Err() != nil {
			return out, err
		}
	}
	return out, err
}

// deployedCode reads which code the function runs, checks it against
// --expect-code, and names it for the report. Without --expect-code, a
// refused read is said and the run goes on; with it, it is a setup error.
func deployedCode(ctx context.Context, acc Access, function, expectCode string, say func(string)) (string, error) {
	if function == "" {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	f, err := deployed.Read(ctx, acc.Lambda(func(o *lambda.Options) { o.RetryMaxAttempts = 1 }), function)
	if err != nil {
		if expectCode != "" {
			return "", fmt.Errorf("%w\n  --expect-code needs lambda:GetFunctionConfiguration on the function (deploy/ has the runner's policies)", err)
		}
		say(fmt.Sprintf("the code the function runs is not named in the report: %v", err))
		return "not read (lambda:GetFunctionConfiguration failed)", nil
	}
	say("the function: " + f.String())
	named := f.String()
	for _, w := range f.Warnings() {
		say("WARNING: " + w)
		named += "; WARNING: " + w
	}
	if expectCode != "" {
		id, err := deployed.CheckCode(f, expectCode)
		if err != nil {
			return "", err
		}
		say(fmt.Sprintf("the function runs the expected code: %s is %s", expectCode, id))
	}
	return named, nil
}

// clientExists proves that the app client exists without a permission that
// would reveal its secret (DescribeUserPoolClient does): an unauthenticated
// InitiateAuth for a user who does not exist fails with
// ResourceNotFoundException only when the client does not.
func clientExists(ctx context.Context, acc Access, clientID, secret string) error {
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	const nobody = "autoconfirm-preflight-nobody"
	params := map[string]string{"USERNAME": nobody, "PASSWORD": "not-a-password-0A!"}
	if secret != "" {
		params["SECRET_HASH"] = secrethash.Compute(nobody, clientID, secret)
	}
	_, err := acc.Cognito(func(o *cip.Options) { o.RetryMaxAttempts = 1 }).InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(clientID), AuthParameters: params})
	var missing *ciptypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return fmt.Errorf("the app client %s does not exist (%s): check --client-id (or COGNITO_CLIENT_ID) against the pool's app clients", clientID, missing.ErrorMessage())
	}
	return nil
}
