package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/autoconfirm/autoconfirm/deployed"
	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/secrethash"
	"github.com/autoconfirm/autoconfirm/targets"
)

// cognitoLocalAdminGetUser is why an AdminGetUser guard cannot be judged on
// existing users against cognito-local (rules §23).
const cognitoLocalAdminGetUser = "not observable with cognito-local: its AdminGetUser resolves an email address or phone number only in email-as-username pools and ignores *_verified, so an AdminGetUser guard finds no existing user there whatever it does"

// emptyDropped is cognito-local's gap that shows only through SignUp.
const emptyDropped = "cognito-local drops an attribute sent empty in SignUp before the trigger runs, so an empty value never reaches the trigger at pool depth and the scenario would pass whatever the trigger does; the lambda and inprocess targets check it"

// emulatorPoolLimits are the known gaps that show only through SignUp.
// autoconfirm-local is cognito-local as `local` runs it.
var emulatorPoolLimits = map[string]map[string]string{
	"cognito-local":     {"@empty-value": emptyDropped},
	"autoconfirm-local": {"@empty-value": emptyDropped},
}

// emulatorLimits are the known gaps of local emulators, by scenario tag.
// autoconfirm-local has none of these: the trigger reaches cognito-local
// through a resolver that reads filters and resolves aliases as Cognito does
// (internal/local/stack/aliases.go).
var emulatorLimits = map[string]map[string]string{
	"cognito-local": {
		"@filter-escaping": `cognito-local reads \" in a ListUsers filter literally, unlike Cognito, so a value with a quote never matches`,
		"@email-case":      "cognito-local matches ListUsers filters with regard to case, unlike Cognito, so an address written in other letter case is never found there",
	},
	"autoconfirm-local": {},
}

// buildTarget makes the target the options name, after the pre-flight
// checks of a live one; say receives what the checks found that the run
// cannot show, such as a function timeout above Cognito's wait.
func buildTarget(ctx context.Context, o suiteOptions, getenv func(string) string, namer *targets.Namer, say func(string)) (targets.Target, func(context.Context) (int, error), error) {
	policy := handler.Policy(o.policy)
	switch policy {
	case handler.PolicySkipVerify, handler.PolicyReject, handler.PolicyAllow:
	default:
		return nil, nil, fmt.Errorf("--alias-policy %q is not valid; allowed: skip-verify, reject, allow", o.policy)
	}
	lookup := handler.LookupMode(o.lookup)
	switch lookup {
	case handler.LookupAdminGetUser, handler.LookupListUsers:
	default:
		return nil, nil, fmt.Errorf("--alias-lookup %q is not valid; allowed: admin-get-user, list-users", o.lookup)
	}
	limits, ok := emulatorLimits[o.emulator]
	if o.emulator != "" && !ok {
		return nil, nil, fmt.Errorf("--emulator %q is not known; allowed: cognito-local, autoconfirm-local", o.emulator)
	}
	live := targets.LiveOptions{PoolID: o.poolID, ClientID: o.clientID, Policy: policy, Lookup: lookup, Namer: namer,
		Concurrency: 4, Limits: limits, PoolLimits: emulatorPoolLimits[o.emulator], Unmask: o.unmask}
	// Only `local`'s own pool takes faults, through the control it names.
	if u := getenv(targets.FaultsVariable); o.emulator == "autoconfirm-local" && u != "" {
		live.Faults = targets.NewFaultClient(u)
	}
	if o.emulator == "cognito-local" && lookup == handler.LookupAdminGetUser {
		live.HoldersUnobservable = cognitoLocalAdminGetUser
	}
	switch o.target {
	case "inprocess":
		if o.expectCode != "" || o.expectFunction != "" {
			return nil, nil, errors.New("--expect-code and --expect-function check a deployed function, so they need --target pool or lambda")
		}
		return &targets.InProcess{Lookup: lookup}, nil, nil
	case "pool":
		if o.poolID == "" || o.clientID == "" {
			return nil, nil, errors.New("--target pool needs --pool-id and --client-id (or COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID)")
		}
		acc, err := liveAccess(ctx, o)
		if err != nil {
			return nil, nil, err
		}
		trigger, err := preflight(ctx, acc, o.poolID, "")
		if err != nil {
			return nil, nil, err
		}
		if trigger == "" {
			return nil, nil, fmt.Errorf("the user pool %s has no pre sign-up trigger (LambdaConfig.PreSignUp is empty), so no scenario would reach a handler: attach the function to the pool's pre sign-up trigger, or give the pool that has it", o.poolID)
		}
		if err := clientExists(ctx, acc, o.clientID, getenv("COGNITO_CLIENT_SECRET")); err != nil {
			return nil, nil, err
		}
		if err := checkTrigger(o, trigger); err != nil {
			return nil, nil, err
		}
		code, err := deployedCode(ctx, acc, trigger, o.expectCode, say)
		if err != nil {
			return nil, nil, err
		}
		api := acc.cognito(func(o *cip.Options) { o.Retryer = targets.LiveRetry() })
		t := targets.NewPool(api, o.clientID, getenv("COGNITO_CLIENT_SECRET"), live)
		t.Trigger, t.Code = trigger, code
		return t, t.Close, nil
	case "lambda":
		if o.function == "" {
			return nil, nil, errors.New("--target lambda needs --function (or CONFORMANCE_FUNCTION)")
		}
		if o.poolID == "" {
			return nil, nil, errors.New("--target lambda needs --pool-id (or COGNITO_USER_POOL_ID): the scenarios create the users a sign-up must not take an alias from in that pool, and point each event at it, so that the function's own lookups see them")
		}
		acc, err := liveAccess(ctx, o)
		if err != nil {
			return nil, nil, err
		}
		t, err := openDeployed(ctx, acc, o.function, o.expectCode, live, say, func(trigger string) error { return checkTrigger(o, trigger) })
		if err != nil {
			return nil, nil, err
		}
		return t, t.Close, nil
	}
	return nil, nil, fmt.Errorf("unknown --target %q; use inprocess, lambda or pool", o.target)
}

// lambdaTarget is the one way a run opens a function as a target, deployed
// or hosted by local: through acc, which reaches AWS or the local stack,
// with the live targets' retries, each event pointed at live's pool in
// acc's region, where Cognito invokes its trigger.
func lambdaTarget(acc awsAccess, function string, live targets.LiveOptions) *targets.Lambda {
	live.Region = acc.cfg.Region
	api := acc.cognito(func(o *cip.Options) { o.Retryer = targets.LiveRetry() })
	return targets.NewLambda(acc.lambda(func(o *lambda.Options) { o.Retryer = targets.LiveRetry() }), function, api, live)
}

// openDeployed opens a deployed function after the pre-flight checks: the
// pool and the function answer, check accepts the pool's trigger, and the
// function runs the code --expect-code names, if any.
func openDeployed(ctx context.Context, acc awsAccess, function, expectCode string, live targets.LiveOptions, say func(string), check func(trigger string) error) (*targets.Lambda, error) {
	trigger, err := preflight(ctx, acc, live.PoolID, function)
	if err != nil {
		return nil, err
	}
	if err := check(trigger); err != nil {
		return nil, err
	}
	code, err := deployedCode(ctx, acc, function, expectCode, say)
	if err != nil {
		return nil, err
	}
	t := lambdaTarget(acc, function, live)
	t.Code = code
	return t, nil
}

// checkTrigger checks --expect-function against the pool's trigger.
func checkTrigger(o suiteOptions, trigger string) error {
	if o.expectFunction == "" {
		return nil
	}
	if err := deployed.CheckTrigger(o.expectFunction, trigger); err != nil {
		return fmt.Errorf("user pool %s: %w", o.poolID, err)
	}
	return nil
}

// deployedCode reads which code the function runs, checks it against
// --expect-code, and names it for the report. Without --expect-code, a
// refused read is said and the run goes on; with it, it is a setup error.
func deployedCode(ctx context.Context, acc awsAccess, function, expectCode string, say func(string)) (string, error) {
	if function == "" {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	f, err := deployed.Read(ctx, acc.lambda(func(o *lambda.Options) { o.RetryMaxAttempts = 1 }), function)
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

// preflightTimeout bounds the checks a live run makes before it starts.
const preflightTimeout = 10 * time.Second

// preflight checks, with one cheap read each and no retries, that the pool
// (DescribeUserPool) and the function (a DryRun invoke, which runs nothing)
// answer with the credentials at hand. A run that cannot reach them would
// otherwise report every scenario as failed, or hang on retries. It returns
// the pool's PreSignUp trigger, as the pool names it.
func preflight(ctx context.Context, acc awsAccess, poolID, function string) (trigger string, err error) {
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	once := func(o *cip.Options) { o.RetryMaxAttempts = 1 }
	if poolID != "" {
		out, err := transient(ctx, func() (*cip.DescribeUserPoolOutput, error) {
			return acc.cognito(once).DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
		})
		if err != nil && acc.cognitoURL != "" {
			return "", fmt.Errorf("the local pool %s at %s does not answer (%w): cognito-local ended before this depth ran; run again, and report it if it happens again", poolID, acc.cognitoURL, err)
		}
		if err != nil {
			return "", fmt.Errorf("cannot reach the user pool %s in %s before the run: %w\n  check the pool id, AWS_REGION, the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID), cognito-idp:DescribeUserPool on the pool, and AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER if you use an emulator", poolID, acc.cfg.Region, err)
		}
		if out.UserPool != nil && out.UserPool.LambdaConfig != nil {
			trigger = aws.ToString(out.UserPool.LambdaConfig.PreSignUp)
		}
	}
	if function != "" {
		api := acc.lambda(func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
		_, err := transient(ctx, func() (*lambda.InvokeOutput, error) {
			return api.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(function), InvocationType: ltypes.InvocationTypeDryRun})
		})
		if err != nil {
			return "", fmt.Errorf("cannot reach the function %s in %s before the run: %w\n  check the function name or ARN, AWS_REGION, the credentials, lambda:InvokeFunction on it, and AWS_ENDPOINT_URL_LAMBDA if you use an emulator", function, acc.cfg.Region, err)
		}
	}
	return trigger, nil
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

// awsConfig loads the SDK's configuration. Without a region from the
// environment or the profile, a pool id names its own (us-east-1_AbC…).
func awsConfig(ctx context.Context, poolID string) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return cfg, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		if region, _, ok := strings.Cut(poolID, "_"); ok && poolRegion.MatchString(region) {
			cfg.Region = region
		}
	}
	if cfg.Region == "" {
		return cfg, errors.New("no AWS region: set AWS_REGION (or a region in your AWS profile), or give a pool id, which names its region")
	}
	return cfg, nil
}

// poolRegion is the region part of a pool id.
var poolRegion = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)

// clientExists proves that the app client exists without a permission that
// would reveal its secret (DescribeUserPoolClient does): an unauthenticated
// InitiateAuth for a user who does not exist fails with
// ResourceNotFoundException only when the client does not.
func clientExists(ctx context.Context, acc awsAccess, clientID, secret string) error {
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	const nobody = "autoconfirm-preflight-nobody"
	params := map[string]string{"USERNAME": nobody, "PASSWORD": "not-a-password-0A!"}
	if secret != "" {
		params["SECRET_HASH"] = secrethash.Compute(nobody, clientID, secret)
	}
	_, err := acc.cognito(func(o *cip.Options) { o.RetryMaxAttempts = 1 }).InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(clientID), AuthParameters: params})
	var missing *ciptypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return fmt.Errorf("the app client %s does not exist (%s): check --client-id (or COGNITO_CLIENT_ID) against the pool's app clients", clientID, missing.ErrorMessage())
	}
	return nil
}
