package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/autoconfirm/autoconfirm/internal/local/stack"
)

// awsAccess is how a live run reaches AWS: the SDK's configuration, and,
// under `local`, the endpoint each client uses whatever else is set.
type awsAccess struct {
	cfg                   aws.Config
	cognitoURL, lambdaURL string
}

// cognito is a Cognito client; opts come before the local endpoint, which
// nothing overrides.
func (a awsAccess) cognito(opts ...func(*cip.Options)) *cip.Client {
	if a.cognitoURL != "" {
		opts = append(opts, func(o *cip.Options) { o.BaseEndpoint = aws.String(a.cognitoURL) })
	}
	return cip.NewFromConfig(a.cfg, opts...)
}

// lambda is a Lambda client, as cognito is.
func (a awsAccess) lambda(opts ...func(*lambda.Options)) *lambda.Client {
	if a.lambdaURL != "" {
		opts = append(opts, func(o *lambda.Options) { o.BaseEndpoint = aws.String(a.lambdaURL) })
	}
	return lambda.NewFromConfig(a.cfg, opts...)
}

// liveAccess is the SDK's default configuration for a run against AWS. Under
// --emulator autoconfirm-local it is built from the flags alone: the
// default loader reads ~/.aws/config, where ignore_configured_endpoint_urls
// would send the run's calls to AWS, and a credential_process or profile
// would run or lend the host's keys.
func liveAccess(ctx context.Context, o suiteOptions) (awsAccess, error) {
	if o.emulator == "autoconfirm-local" {
		return localAccess(o.cognitoEndpoint, o.lambdaEndpoint)
	}
	if o.cognitoEndpoint != "" || o.lambdaEndpoint != "" {
		return awsAccess{}, errors.New("--cognito-endpoint and --lambda-endpoint are for --emulator autoconfirm-local, the local command's own runs; to point a run elsewhere, set AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER and AWS_ENDPOINT_URL_LAMBDA")
	}
	cfg, err := awsConfig(ctx, o.poolID)
	return awsAccess{cfg: cfg}, err
}

// localAccess reaches the local stack only: both endpoints on this
// machine, its region, dummy credentials, and nothing from the environment
// or the shared files.
func localAccess(cognitoURL, lambdaURL string) (awsAccess, error) {
	if cognitoURL == "" || lambdaURL == "" {
		return awsAccess{}, errors.New("--emulator autoconfirm-local needs --cognito-endpoint and --lambda-endpoint (the local command gives both): it reads no AWS configuration, so that no call can leave the machine")
	}
	for flag, u := range map[string]string{"--cognito-endpoint": cognitoURL, "--lambda-endpoint": lambdaURL} {
		if err := onThisMachine(u); err != nil {
			return awsAccess{}, fmt.Errorf("%s %s: %w", flag, u, err)
		}
	}
	cfg := aws.Config{Region: stack.Region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	return awsAccess{cfg: cfg, cognitoURL: cognitoURL, lambdaURL: lambdaURL}, nil
}

// onThisMachine refuses an endpoint that is not http(s) on a loopback
// address or localhost.
func onThisMachine(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("not an http:// or https:// URL")
	}
	if h := u.Hostname(); h != "localhost" {
		if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
			return errors.New("not on this machine: give a loopback address such as http://127.0.0.1:PORT")
		}
	}
	return nil
}
