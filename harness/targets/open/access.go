package open

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Access is how a live run reaches AWS: the SDK's configuration, and,
// under `local`, the endpoint each client uses whatever else is set.
type Access struct {
	cfg                   aws.Config
	cognitoURL, lambdaURL string
}

// Region is the region the clients call.
func (a Access) Region() string { return a.cfg.Region }

// Local says whether a reaches the local stack only.
func (a Access) Local() bool { return a.cognitoURL != "" }

// Cognito is a Cognito client; opts come before the local endpoint, which
// nothing overrides.
func (a Access) Cognito(opts ...func(*cip.Options)) *cip.Client {
	if a.cognitoURL != "" {
		opts = append(opts, func(o *cip.Options) { o.BaseEndpoint = aws.String(a.cognitoURL) })
	}
	return cip.NewFromConfig(a.cfg, opts...)
}

// Lambda is a Lambda client, as Cognito is.
func (a Access) Lambda(opts ...func(*lambda.Options)) *lambda.Client {
	if a.lambdaURL != "" {
		opts = append(opts, func(o *lambda.Options) { o.BaseEndpoint = aws.String(a.lambdaURL) })
	}
	return lambda.NewFromConfig(a.cfg, opts...)
}

// AWS is the SDK's default configuration for a run against AWS. Without a
// region from the environment or the profile, a pool id names its own
// (us-east-1_AbC…).
func AWS(ctx context.Context, poolID string) (Access, error) {
	cfg, err := Config(ctx, poolID)
	return Access{cfg: cfg}, err
}

// Config loads the SDK's configuration, as AWS does.
func Config(ctx context.Context, poolID string) (aws.Config, error) {
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

// Local reaches the local stack only: both endpoints on this machine, the
// stack's region, dummy credentials, and nothing from the environment or the
// shared files. The default loader would read ~/.aws/config, where
// ignore_configured_endpoint_urls would send the run's calls to AWS, and a
// credential_process or profile would run or lend the host's keys.
func Local(region, cognitoURL, lambdaURL string) (Access, error) {
	if cognitoURL == "" || lambdaURL == "" {
		return Access{}, errors.New("--emulator autoconfirm-local needs --cognito-endpoint and --lambda-endpoint (the local command gives both): it reads no AWS configuration, so that no call can leave the machine")
	}
	for flag, u := range map[string]string{"--cognito-endpoint": cognitoURL, "--lambda-endpoint": lambdaURL} {
		if err := onThisMachine(u); err != nil {
			return Access{}, fmt.Errorf("%s %s: %w", flag, u, err)
		}
	}
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	return Access{cfg: cfg, cognitoURL: cognitoURL, lambdaURL: lambdaURL}, nil
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
