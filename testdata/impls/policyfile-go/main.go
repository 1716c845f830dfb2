// Command policyfile-go reads its policy from a file beside its binary,
// named by a relative path (APP_POLICY_PATH, default policy.json), at
// init, as handlers do that ship their configuration in the deployment
// package. Lambda starts the function in its code directory, so the
// relative path resolves there. It confirms every sign-up when the policy
// says so, and fails at init when it cannot read the policy.
package main

import (
	"context"
	"encoding/json"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type policy struct {
	AutoConfirm bool `json:"autoConfirm"`
}

func main() {
	path := os.Getenv("APP_POLICY_PATH")
	if path == "" {
		path = "policy.json"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatalf("failed to read policy at path: %s: %v", path, err)
	}
	var p policy
	if err := json.Unmarshal(b, &p); err != nil {
		log.Fatalf("policy %s: %v", path, err)
	}
	lambda.Start(func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		ev.Response.AutoConfirmUser = p.AutoConfirm
		return ev, nil
	})
}
