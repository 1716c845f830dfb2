package stack

import (
	"fmt"
	"os"

	"github.com/autoconfirm/autoconfirm/internal/local/hostenv"
)

// noSharedAWSConfig keeps any AWS SDK in a started process off the host's
// shared files (~/.aws/config and credentials, where a profile may ignore
// endpoint variables or run a credential_process) and off instance
// metadata: /dev/null is an empty file to every SDK, and boto3 takes it as
// none.
var noSharedAWSConfig = []string{
	"AWS_CONFIG_FILE=/dev/null",
	"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	"AWS_EC2_METADATA_DISABLED=true",
}

// cleanEnv is a started process's whole environment: of the host's
// variables only hostenv.Base (where programs and temporary files are, and
// the locale; everything else stays here: AWS_*, GITHUB_TOKEN,
// COGNITO_CLIENT_SECRET, proxies, NODE_OPTIONS), HOME an empty directory of
// the run's own, no shared AWS files, the local region and dummy
// credentials, then extra.
func cleanEnv(getenv func(string) string, home string, extra ...string) []string {
	env := hostenv.Plain(getenv, home)
	env = append(env, noSharedAWSConfig...)
	env = append(env, "AWS_REGION="+Region, "AWS_DEFAULT_REGION="+Region,
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local")
	return append(env, extra...)
}

// ProcessEnv is the environment of a process `local` starts beside the
// function (cognito-local, a target's run, the report): built from scratch,
// with extra last. HOME is an empty directory that ends with the stack.
func (s *Stack) ProcessEnv(extra ...string) []string {
	return cleanEnv(os.Getenv, s.home, extra...)
}

// startCognitoLocal starts cognito-local on a free port, with the gateway as
// its Lambda endpoint, and returns its URL. cognito-local binds its port
// itself, so a start that loses the port to another process is retried on
// another.
// functionEnv is the trigger's whole environment: what Lambda sets that does
// not depend on the runtime, dummy credentials, the local endpoints, then
// env. Nothing comes from this process, so a runner's own AWS credentials
// never reach the handler.
func (s *Stack) functionEnv(env []string, memoryMB int) []string {
	return append([]string{
		"PATH=" + LambdaPath,
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"AWS_REGION=" + Region,
		"AWS_DEFAULT_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=ASIALOCALDUMMYKEY000",
		"AWS_SECRET_ACCESS_KEY=local-dummy-secret",
		"AWS_SESSION_TOKEN=local-dummy-session-token",
		// Lambda has no shared AWS files; the host's must not count
		// where no sandbox hides them.
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_LAMBDA_FUNCTION_NAME=PreSignUp",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		fmt.Sprintf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%d", memoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/PreSignUp",
		"AWS_LAMBDA_LOG_STREAM_NAME=local/[$LATEST]autoconfirm",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		// Every SDK that reads endpoint variables: Cognito goes to the
		// resolver, every other service to the refusing endpoint.
		"AWS_ENDPOINT_URL=" + s.OtherServicesURL,
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=" + s.TriggerCognitoURL,
	}, env...)
}

// memoryMB is the function's memory size: mb, or Lambda's default, 128.
func memoryMB(mb int) int {
	if mb == 0 {
		return 128
	}
	return mb
}
