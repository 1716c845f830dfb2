package stack

import (
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
