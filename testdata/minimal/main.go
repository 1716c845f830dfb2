// Command minimal is the smallest aws-lambda-go function: the baseline that
// make bench compares dist/bootstrap's cold start and size with.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, ev json.RawMessage) (json.RawMessage, error) { return ev, nil })
}
