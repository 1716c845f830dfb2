// Command answer-shape is a pre sign-up handler that confirms every user,
// written as a raw aws-lambda-go Handler, so that its bytes go back exactly
// as it writes them: the way a Go or Rust handler that builds its answer by
// hand can answer something Cognito cannot read. ANSWER_SHAPE chooses how:
//
//	cutoff     the answer stops after "autoConfirmUser": true
//	duplicate  the event with its response, then a second "response"
//	           member that confirms: two readers may read two answers
package main

import (
	"bytes"
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type handler struct{ shape string }

func (h handler) Invoke(_ context.Context, event []byte) ([]byte, error) {
	switch h.shape {
	case "cutoff":
		return []byte(`{"response": {"autoConfirmUser": true`), nil
	case "duplicate":
		end := bytes.LastIndexByte(event, '}')
		if end < 0 {
			return nil, errors.New("not an event")
		}
		return append(append([]byte(nil), event[:end]...), []byte(`,"response":{"autoConfirmUser":true}}`)...), nil
	}
	return nil, errors.New("ANSWER_SHAPE is not set")
}

func main() {
	shape := os.Getenv("ANSWER_SHAPE")
	switch shape {
	case "cutoff", "duplicate":
	default:
		panic("ANSWER_SHAPE must be cutoff or duplicate")
	}
	lambda.Start(handler{shape: shape})
}
