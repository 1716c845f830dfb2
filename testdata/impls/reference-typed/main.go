// Command reference-typed decides as testdata/impls/reference does, written
// another way: aws-lambda-go's typed event instead of raw JSON, and one
// lookup function per attribute. `diff` must find no difference between
// the two.
package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

var phoneShape = regexp.MustCompile(`^\+[1-9][0-9]{0,14}$`)

type trigger struct{ users *cip.Client }

func (t trigger) handle(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	switch ev.TriggerSource {
	case "PreSignUp_AdminCreateUser":
		return ev, nil
	case "PreSignUp_ExternalProvider":
		ev.Response.AutoConfirmUser = true
		return ev, nil
	case "PreSignUp_SignUp":
	default:
		return ev, fmt.Errorf("unsupported trigger source %s", ev.TriggerSource)
	}
	ev.Response.AutoConfirmUser = true
	email, phone := ev.Request.UserAttributes["email"], ev.Request.UserAttributes["phone_number"]
	if strings.TrimSpace(email) != "" && strings.Contains(email, "@") {
		ev.Response.AutoVerifyEmail = !t.heldVerified(ctx, ev.UserPoolID, ev.UserName, "email", email)
	}
	if phoneShape.MatchString(phone) {
		ev.Response.AutoVerifyPhone = !t.heldVerified(ctx, ev.UserPoolID, ev.UserName, "phone_number", phone)
	}
	return ev, nil
}

// heldVerified reports whether someone else holds value verified; when it
// cannot tell, it says so, and nothing is verified.
func (t trigger) heldVerified(ctx context.Context, pool, self, attr, value string) bool {
	if strings.ContainsAny(value, "\"\\") {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	out, err := t.users.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(fmt.Sprintf("%s = %q", attr, value))})
	if err != nil {
		return true
	}
	for _, u := range out.Users {
		attrs := map[string]string{}
		for _, a := range u.Attributes {
			attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
		}
		if aws.ToString(u.Username) != self && strings.EqualFold(attrs[attr], value) && attrs[attr+"_verified"] == "true" {
			return true
		}
	}
	return false
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	lambda.Start(trigger{users: cip.NewFromConfig(cfg)}.handle)
}
