// Package deployed names the code a deployed Lambda function runs, and the
// function a user pool calls, so that a run after a deploy can prove that
// it judges the build that was judged before it: Lambda's CodeSha256 is the
// base64 SHA-256 of the deployment zip, which codezip computes for a build.
package deployed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
)

// CognitoWait is how long Cognito waits for a trigger's answer before it
// retries (rules §4).
const CognitoWait = 5 * time.Second

// Function is what GetFunctionConfiguration says of the code a function
// runs.
type Function struct {
	ARN, Version, CodeSha256 string
	Runtime, Handler         string
	Architecture             string
	PackageType              string
	Timeout                  time.Duration
	Layers                   []string
	LastModified             string
}

// ConfigReader is the one call Read makes; *lambda.Client is one.
type ConfigReader interface {
	GetFunctionConfiguration(context.Context, *lambda.GetFunctionConfigurationInput, ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error)
}

// Read asks Lambda which code the function runs. name is anything Lambda's
// FunctionName accepts; a qualifier in it selects the version or alias.
// GetFunctionConfiguration is the least privilege that has every field
// (GetFunction also returns a download link to the code).
func Read(ctx context.Context, api ConfigReader, name string) (Function, error) {
	out, err := api.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if err != nil {
		return Function{}, fmt.Errorf("reading which code the function %s runs (lambda:GetFunctionConfiguration): %w", name, err)
	}
	f := Function{ARN: aws.ToString(out.FunctionArn), Version: aws.ToString(out.Version), CodeSha256: aws.ToString(out.CodeSha256),
		Runtime: string(out.Runtime), Handler: aws.ToString(out.Handler), PackageType: string(out.PackageType),
		Timeout: time.Duration(aws.ToInt32(out.Timeout)) * time.Second, LastModified: aws.ToString(out.LastModified)}
	f.Architecture = string(ltypes.ArchitectureX8664) // Lambda's default when none is listed
	if len(out.Architectures) > 0 {
		f.Architecture = string(out.Architectures[0])
	}
	for _, l := range out.Layers {
		f.Layers = append(f.Layers, aws.ToString(l.Arn))
	}
	return f, nil
}

// String names the function and its code for a report.
func (f Function) String() string {
	layers := "no layers"
	if len(f.Layers) > 0 {
		layers = "layers " + strings.Join(f.Layers, ", ")
	}
	runtime := f.Runtime
	if runtime == "" {
		runtime = "no runtime (" + strings.ToLower(f.PackageType) + " package)"
	}
	return fmt.Sprintf("%s, version %s, CodeSha256 %s, %s, handler %s, %s, timeout %s, %s, last modified %s",
		f.ARN, f.Version, f.CodeSha256, runtime, orNone(f.Handler), f.Architecture, f.Timeout, layers, f.LastModified)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Warnings are what the configuration says that a run cannot show.
func (f Function) Warnings() []string {
	var w []string
	if f.Timeout > CognitoWait {
		w = append(w, fmt.Sprintf("the function's timeout is %s, above the %s Cognito waits (rules §4): an invocation that takes longer is abandoned and retried by Cognito while Lambda lets it run, and the sign-up fails after three attempts; a timeout of %s or less makes the function end where Cognito stops waiting", f.Timeout, CognitoWait, CognitoWait))
	}
	return w
}

// ErrOtherCode is returned when a function runs code other than expected.
var ErrOtherCode = errors.New("the function runs other code")

// CheckCode compares the code the function runs with the code at path: a
// deployment zip as it is, or a bootstrap or directory zipped as codezip
// zips it.
func CheckCode(f Function, path string) (codezip.Identity, error) {
	want, err := codezip.Expect(path)
	if err != nil {
		return want, fmt.Errorf("naming the expected code: %w", err)
	}
	if f.PackageType == string(ltypes.PackageTypeImage) {
		return want, fmt.Errorf("%w: %s is a container image, whose CodeSha256 (%s) is the image's digest, not a zip's; --expect-code compares zips", ErrOtherCode, f.ARN, f.CodeSha256)
	}
	if f.CodeSha256 != want.CodeSha256 {
		return want, fmt.Errorf("%w: Lambda says %s runs CodeSha256 %s, and %s is CodeSha256 %s (%s): deploy that build, or point --expect-code at the build that was deployed", ErrOtherCode, f.ARN, f.CodeSha256, path, want.CodeSha256, want)
	}
	return want, nil
}

// Ref is a function as Lambda's FunctionName names it: a name, a partial
// ARN (account:function:name) or an ARN, each with an optional version or
// alias.
type Ref struct {
	Region, Account, Name, Qualifier string
}

// ParseRef reads a FunctionName.
func ParseRef(s string) (Ref, error) {
	parts := strings.Split(s, ":")
	bad := fmt.Errorf("%q is not a function name, name:qualifier, account:function:name or ARN", s)
	var r Ref
	switch {
	case len(parts) >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
		if len(parts) > 8 {
			return r, bad
		}
		r = Ref{Region: parts[3], Account: parts[4], Name: parts[6]}
		if len(parts) == 8 {
			r.Qualifier = parts[7]
		}
	case len(parts) >= 3 && parts[1] == "function":
		if len(parts) > 4 {
			return r, bad
		}
		r = Ref{Account: parts[0], Name: parts[2]}
		if len(parts) == 4 {
			r.Qualifier = parts[3]
		}
	case len(parts) <= 2:
		r = Ref{Name: parts[0]}
		if len(parts) == 2 {
			r.Qualifier = parts[1]
		}
	default:
		return r, bad
	}
	if r.Name == "" || (len(parts) > 1 && strings.HasSuffix(s, ":")) {
		return r, bad
	}
	return r, nil
}

// ErrOtherFunction is returned when a pool calls another function.
var ErrOtherFunction = errors.New("the pool calls another function")

// CheckTrigger checks that trigger, the function a pool names as its
// PreSignUp trigger, is the one expect names: the same name and the same
// version or alias (none for none), in the region and account expect gives,
// if it gives them.
func CheckTrigger(expect, trigger string) error {
	want, err := ParseRef(expect)
	if err != nil {
		return fmt.Errorf("--expect-function: %w", err)
	}
	if trigger == "" {
		return fmt.Errorf("%w: the pool has no pre sign-up trigger, and %s was expected", ErrOtherFunction, expect)
	}
	got, err := ParseRef(trigger)
	if err != nil {
		return fmt.Errorf("%w: the pool names its trigger %s, which is not a function ARN", ErrOtherFunction, trigger)
	}
	qualifier := func(q string) string {
		if q == "" {
			return "no version or alias ($LATEST)"
		}
		return "version or alias " + q
	}
	switch {
	case got.Name != want.Name, want.Region != "" && got.Region != want.Region, want.Account != "" && got.Account != want.Account:
		return fmt.Errorf("%w: its PreSignUp trigger is %s, not %s: attach the deployed function to the pool, or correct --expect-function", ErrOtherFunction, trigger, expect)
	case got.Qualifier != want.Qualifier:
		return fmt.Errorf("%w: its PreSignUp trigger is %s, with %s, where %s was expected, with %s: point the trigger at the version or alias that was deployed", ErrOtherFunction, trigger, qualifier(got.Qualifier), expect, qualifier(want.Qualifier))
	}
	return nil
}
