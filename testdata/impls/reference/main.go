// Command reference is an independent, deliberately plain implementation of
// the pre sign-up behaviour, written without autoconfirm's packages. The
// conformance gate must pass it.
//
// REFERENCE_FAULT changes it on purpose, one way at a time, and the gate
// must then give the verdict each deserves:
//
//	noguard      verify without looking the pool up
//	wrongsource  set the flags on every trigger source
//	looseverify  verify any non-empty value, valid or not
//	rewrite      set the right flags but rewrite the request
//	emailonly    never verify a phone number, as for a pool without them
//	slowphone    take 2 s over any sign-up that gives a phone number
//	refusaltext  word the closed-domain refusal differently
//
// REFERENCE_CLOSED_DOMAIN, when set, refuses every PreSignUp_SignUp whose
// email address is at that domain, as an allow-list would; diff's tests
// compare two wordings of the refusal.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
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
	fault := os.Getenv("REFERENCE_FAULT")
	switch fault {
	case "", "noguard", "wrongsource", "looseverify", "rewrite", "emailonly", "slowphone", "refusaltext":
	default:
		panic("REFERENCE_FAULT must be noguard, wrongsource, looseverify, rewrite, emailonly, slowphone or refusaltext")
	}
	closed := os.Getenv("REFERENCE_CLOSED_DOMAIN")
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
		if fault == "wrongsource" && strings.HasPrefix(source, "PreSignUp_") {
			source = "PreSignUp_SignUp"
		}
		switch source {
		case "PreSignUp_AdminCreateUser":
			return raw, nil
		case "PreSignUp_ExternalProvider":
			confirm = true
		case "PreSignUp_SignUp":
			confirm = true
			e, p := str("email"), str("phone_number")
			if closed != "" && strings.HasSuffix(e, "@"+closed) {
				if fault == "refusaltext" {
					return nil, fmt.Errorf("%s may not sign up here", closed)
				}
				return nil, fmt.Errorf("sign-ups from %s are closed", closed)
			}
			validEmail := strings.TrimSpace(e) != "" && strings.Contains(e, "@")
			validPhone := e164.MatchString(p)
			if fault == "looseverify" {
				validEmail, validPhone = e != "", p != ""
			}
			free := func(attr, value string) bool {
				return fault == "noguard" || !taken(ctx, client, pool, user, attr, value)
			}
			if fault == "slowphone" && p != "" {
				time.Sleep(2 * time.Second) // past a 1 s function timeout
			}
			email = validEmail && free("email", e)
			phone = validPhone && free("phone_number", p) && fault != "emailonly"
		default:
			return nil, fmt.Errorf("unsupported trigger source %s", source)
		}
		if fault == "rewrite" {
			ev["request"], _ = json.Marshal(req) // drops validationData and clientMetadata
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
