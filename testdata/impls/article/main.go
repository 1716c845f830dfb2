// Command article is the AWS Knowledge Center article's handler, translated:
// it checks that a key exists, never its value, and never looks the pool up.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		ev.Response.AutoConfirmUser = true
		if _, ok := ev.Request.UserAttributes["email"]; ok {
			ev.Response.AutoVerifyEmail = true
		}
		if _, ok := ev.Request.UserAttributes["phone_number"]; ok {
			ev.Response.AutoVerifyPhone = true
		}
		return ev, nil
	})
}
