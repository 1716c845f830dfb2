// Command reference is an independent, deliberately plain implementation of
// the pre sign-up behaviour, written without autoconfirm's packages. The
// conformance gate must pass it. The other directories here break it on
// purpose, one fault each, and the gate must fail them.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{0,14}$`)

type request struct {
	UserAttributes map[string]any `json:"userAttributes"`
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	client := cip.NewFromConfig(cfg)
	lambda.Start(func(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
		var ev map[string]json.RawMessage
		if err := json.Unmarshal(raw, &ev); err != nil || ev == nil {
			return nil, errors.New("not an event")
		}
		var source, pool, user string
		json.Unmarshal(ev["triggerSource"], &source)
		json.Unmarshal(ev["userPoolId"], &pool)
		json.Unmarshal(ev["userName"], &user)
		var req request
		json.Unmarshal(ev["request"], &req)
		str := func(k string) string { s, _ := req.UserAttributes[k].(string); return s }
		var confirm, email, phone bool
		switch source {
		case "PreSignUp_AdminCreateUser":
			return raw, nil
		case "PreSignUp_ExternalProvider":
			confirm = true
		case "PreSignUp_SignUp":
			confirm = true
			e, p := str("email"), str("phone_number")
			email = strings.TrimSpace(e) != "" && strings.Contains(e, "@") && !taken(ctx, client, pool, user, "email", e)
			phone = e164.MatchString(p) && !taken(ctx, client, pool, user, "phone_number", p)
		default:
			return nil, fmt.Errorf("unsupported trigger source %s", source)
		}
		ev["response"], _ = json.Marshal(map[string]bool{"autoConfirmUser": confirm, "autoVerifyEmail": email, "autoVerifyPhone": phone})
		return json.Marshal(ev)
	})
}

// taken reports whether another user holds value verified; on any doubt it
// says yes, so nothing is verified.
func taken(ctx context.Context, c *cip.Client, pool, self, attr, value string) bool {
	if strings.ContainsAny(value, `"\`) {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(pool), Filter: aws.String(fmt.Sprintf("%s = %q", attr, value))})
	if err != nil {
		return true
	}
	for _, u := range out.Users {
		if aws.ToString(u.Username) == self {
			continue
		}
		var v, verified string
		for _, a := range u.Attributes {
			switch aws.ToString(a.Name) {
			case attr:
				v = aws.ToString(a.Value)
			case attr + "_verified":
				verified = aws.ToString(a.Value)
			}
		}
		if strings.EqualFold(v, value) && verified == "true" {
			return true
		}
	}
	return false
}
