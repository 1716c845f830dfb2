package gateway

import (
	"context"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/autoconfirm/autoconfirm/internal/local/rie"
)

// fakeFn echoes, fails on "fail", and records the most invokes at once.
type fakeFn struct {
	inFlight, most atomic.Int64
}

func (f *fakeFn) Invoke(_ context.Context, p []byte) (rie.Result, error) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.most.Load()
		if n <= m || f.most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond)
	if string(p) == `"fail"` {
		b := []byte(`{"errorMessage":"boom","errorType":"EventError"}`)
		return rie.Result{Body: b, FunctionError: rie.IsErrorBody(b)}, nil
	}
	return rie.Result{Body: p}, nil
}

// TestGatewayWithTheSDK drives the gateway with the real Lambda client.
func TestGatewayWithTheSDK(t *testing.T) {
	fn := &fakeFn{}
	gw := New(fn) // no lock of its own: the gateway's must serialise

	srv := httptest.NewServer(gw)
	defer srv.Close()
	client := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})

	out, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:PreSignUp"), Payload: []byte(`{"a":1}`)})
	if err != nil || string(out.Payload) != `{"a":1}` || out.FunctionError != nil {
		t.Fatalf("echo: %v %s %v", err, out.Payload, out.FunctionError)
	}
	out, err = client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("PreSignUp"), Payload: []byte(`"fail"`)})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("error: %v %v", err, out.FunctionError)
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("f"), Payload: []byte(`{}`)})
		}()
	}
	wg.Wait()
	if fn.most.Load() != 1 {
		t.Errorf("%d invokes reached the function at once, want 1", fn.most.Load())
	}
	if inv, errs := gw.Counts(); inv != 18 || errs != 1 {
		t.Errorf("counts %d invokes, %d errors", inv, errs)
	}
}
