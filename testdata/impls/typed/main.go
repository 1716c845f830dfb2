// Command typed is a pre sign-up handler written the way aws-lambda-go's
// documentation shows: it decodes the event into
// events.CognitoEventUserPoolsPreSignup and returns that struct, so the event
// comes back re-encoded (clientMetadata: null added, unknown fields dropped).
// It confirms every sign-up, verifies valid values nobody holds verified
// (ListUsers), and sets the flags on every source. Cognito reads only the
// response, and ignores the flags on AdminCreateUser, so it is correct; the
// gate must pass it on cognito, auto-confirm and alias-safe.
//
// LOOKUP=admin-get-user makes it ask AdminGetUser with the value as the
// username, which Cognito resolves to the user holding it as a verified alias.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"regexp"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

var phonePattern = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)

type handler struct {
	users        *cip.Client
	adminGetUser bool
}

func (h handler) handle(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	ev.Response.AutoConfirmUser = true
	email := ev.Request.UserAttributes["email"]
	if addr, err := mail.ParseAddress(email); err == nil && addr.Address == email {
		held, err := h.heldVerified(ctx, ev.UserPoolID, "email", email)
		if err != nil {
			return ev, err
		}
		ev.Response.AutoVerifyEmail = !held
	}
	phone := ev.Request.UserAttributes["phone_number"]
	if phonePattern.MatchString(phone) {
		held, err := h.heldVerified(ctx, ev.UserPoolID, "phone_number", phone)
		if err != nil {
			return ev, err
		}
		ev.Response.AutoVerifyPhone = !held
	}
	return ev, nil
}

// heldVerified asks whether any user holds value as attr, verified.
func (h handler) heldVerified(ctx context.Context, pool, attr, value string) (bool, error) {
	if h.adminGetUser {
		u, err := h.users.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(value)})
		var missing *types.UserNotFoundException
		if errors.As(err, &missing) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("looking up an existing user: %w", err)
		}
		attrs := map[string]string{}
		for _, a := range u.UserAttributes {
			attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
		}
		return strings.EqualFold(attrs[attr], value) && attrs[attr+"_verified"] == "true", nil
	}
	filter := fmt.Sprintf("%s = %q", attr, value)
	p := cip.NewListUsersPaginator(h.users, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(filter)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("looking up existing users: %w", err)
		}
		for _, u := range page.Users {
			for _, a := range u.Attributes {
				if aws.ToString(a.Name) == attr+"_verified" && strings.EqualFold(aws.ToString(a.Value), "true") {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	lambda.Start(handler{users: cip.NewFromConfig(cfg), adminGetUser: os.Getenv("LOOKUP") == "admin-get-user"}.handle)
}
