package stack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestOtherServicesAreRefusedByName: an SDK call to a service the stack
// does not emulate fails at once, on this machine, with an error that names
// the service and the variable to set, whatever the protocol.
func TestOtherServicesAreRefusedByName(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(notEmulated))
	defer srv.Close()
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	ctx := context.Background()
	// REST-JSON.
	_, err := lambda.New(lambda.Options{Region: Region, BaseEndpoint: aws.String(srv.URL), Credentials: creds, RetryMaxAttempts: 1}).
		GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")})
	if err == nil || !strings.Contains(err.Error(), "lambda is not emulated") || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL_LAMBDA") {
		t.Errorf("lambda: %v", err)
	}
	// The query protocol, with an XML error.
	_, err = sts.New(sts.Options{Region: Region, BaseEndpoint: aws.String(srv.URL), Credentials: creds, RetryMaxAttempts: 1}).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil || !strings.Contains(err.Error(), "sts is not emulated") || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL_STS") {
		t.Errorf("sts: %v", err)
	}
}
