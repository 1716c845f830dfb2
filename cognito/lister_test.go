package cognito

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/autoconfirm/autoconfirm/cognitofake"
)

func newFake(t testing.TB) (*cognitofake.Server, *Lister) {
	t.Helper()
	fake := cognitofake.New()
	t.Cleanup(fake.Close)
	client := NewClient(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(fake.URL),
	})
	return fake, NewLister(client)
}

func TestListerSpeaksListUsers(t *testing.T) {
	fake, l := newFake(t)
	for i := 1; i <= 7; i++ {
		fake.Seed("pool-1", cognitofake.User{Username: fmt.Sprintf("u%d", i), Enabled: true, Attributes: []cognitofake.Attribute{
			{Name: "email", Value: `o"brien@example.com`}, {Name: "email_verified", Value: "true"}}})
	}
	fake.Seed("pool-2", cognitofake.User{Username: "elsewhere", Attributes: []cognitofake.Attribute{{Name: "email", Value: `o"brien@example.com`}}})
	fake.SetPageSize(3)
	filter := `email = "o\"brien@example.com"`
	var users []string
	token := ""
	for range 5 {
		p, err := l.ListUsers(context.Background(), "pool-1", filter, token)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Users {
			users = append(users, u.Username)
			if u.Attributes["email_verified"] != "true" {
				t.Errorf("%s: attributes %v", u.Username, u.Attributes)
			}
		}
		if token = p.Next; token == "" {
			break
		}
	}
	if got := strings.Join(users, ","); got != "u1,u2,u3,u4,u5,u6,u7" {
		t.Errorf("users %s", got)
	}
	calls := fake.Calls()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3 pages", len(calls))
	}
	for _, c := range calls {
		if c.Filter != filter || c.PoolID != "pool-1" {
			t.Errorf("call %+v", c)
		}
	}
	if calls[1].Token != "3" || calls[2].Token != "6" {
		t.Errorf("tokens %q %q", calls[1].Token, calls[2].Token)
	}
}

func TestListerErrors(t *testing.T) {
	tests := []struct {
		fault cognitofake.Fault
		code  string
	}{
		{cognitofake.FaultThrottle, "TooManyRequestsException"},
		{cognitofake.Fault500, "InternalErrorException"},
		{cognitofake.FaultNotFound, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			fake, l := newFake(t)
			fake.SetFault(tt.fault)
			_, err := l.ListUsers(context.Background(), "pool-1", `email = "a@example.com"`, "")
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code {
				t.Errorf("err = %v, want %s", err, tt.code)
			}
		})
	}
}
