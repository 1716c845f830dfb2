// Command domain-go is an allow-list pre sign-up handler written the short
// way: it takes the domain from a username that it assumes is an email
// address, so it panics (index out of range) on any other username, and
// aws-lambda-go then reports the panic and exits, as on Lambda. Cognito
// refuses that sign-up with "PreSignUp failed with error runtime error:
// index out of range [1] with length 1", and the next invocation starts a
// fresh runtime. It confirms users of the domains in ALLOWED_DOMAINS.
//
// DOMAIN_FAULT makes it fail in other ways a handler fails:
//   - init: exit during init() for want of its configuration;
//   - first-event: the same check, made at the first event instead;
//   - big: answer more than Lambda's 6 MB.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

var allowed = strings.Split(os.Getenv("ALLOWED_DOMAINS"), ",")

func init() {
	if os.Getenv("DOMAIN_FAULT") == "init" {
		log.Fatal("domain-go: ALLOWED_DOMAINS_TABLE is not set")
	}
}

type answer struct {
	events.CognitoEventUserPoolsPreSignup
	Padding string `json:"padding,omitempty"`
}

func handle(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (answer, error) {
	switch os.Getenv("DOMAIN_FAULT") {
	case "first-event":
		log.Fatal("domain-go: ALLOWED_DOMAINS_TABLE is not set")
	case "big":
		return answer{ev, strings.Repeat("x", 7<<20)}, nil
	}
	domain := strings.Split(ev.UserName, "@")[1]
	for _, d := range allowed {
		if d == domain {
			ev.Response.AutoConfirmUser = true
			return answer{CognitoEventUserPoolsPreSignup: ev}, nil
		}
	}
	return answer{}, fmt.Errorf("sign-ups from %s are not allowed", domain)
}

func main() { lambda.Start(handle) }
