package cognito

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"

	"github.com/autoconfirm/autoconfirm/handler/guard"
	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
)

func newFake(t testing.TB) (*cognitofake.Server, *Directory) {
	t.Helper()
	fake := cognitofake.New()
	t.Cleanup(fake.Close)
	client := NewClient(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(fake.URL),
	})
	return fake, NewDirectory(client)
}

func TestListUsersPages(t *testing.T) {
	fake, d := newFake(t)
	for i := 1; i <= 7; i++ {
		attrs := []cognitofake.Attribute{{Name: "email", Value: `o"brien@example.com`}, {Name: "email_verified", Value: "true"}}
		if i%2 == 0 {
			attrs = append(attrs, cognitofake.Attribute{Name: "phone_number", Value: "+15555550100"})
		}
		fake.Seed("pool-1", cognitofake.User{Username: fmt.Sprintf("u%d", i), Enabled: true, Attributes: attrs})
	}
	fake.Seed("pool-2", cognitofake.User{Username: "elsewhere", Attributes: []cognitofake.Attribute{{Name: "email", Value: `o"brien@example.com`}}})
	fake.SetPageSize(3)
	filter := `email = "o\"brien@example.com"`
	var users []string
	token := ""
	for range 5 {
		p, err := d.ListUsers(context.Background(), "pool-1", filter, token)
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
		// Half the matches have no phone number: AttributesToGet naming it
		// would fail the call (rules §22.4), so none is sent.
		if c.Filter != filter || c.PoolID != "pool-1" || c.AttributesToGet != nil {
			t.Errorf("call %+v", c)
		}
	}
	if calls[1].Token != "3" || calls[2].Token != "6" {
		t.Errorf("tokens %q %q", calls[1].Token, calls[2].Token)
	}
}

func TestGetUser(t *testing.T) {
	fake, d := newFake(t)
	fake.Seed("pool-1", cognitofake.User{Username: "holder", Enabled: false, Attributes: []cognitofake.Attribute{
		{Name: "sub", Value: "sub-1"}, {Name: "email", Value: "Jane@Example.com"}, {Name: "email_verified", Value: "true"}}})
	u, err := d.GetUser(context.Background(), "pool-1", "jane@example.com")
	if err != nil || u.Username != "holder" || u.Attributes["email_verified"] != "true" || u.Attributes["sub"] != "sub-1" {
		t.Errorf("GetUser = %+v, %v", u, err)
	}
	if _, err := d.GetUser(context.Background(), "pool-1", "nobody@example.com"); !errors.Is(err, guard.ErrUserNotFound) {
		t.Errorf("a miss gave %v, want ErrUserNotFound", err)
	}
	if _, err := d.GetUser(context.Background(), "pool-9", "jane@example.com"); err == nil || errors.Is(err, guard.ErrUserNotFound) {
		t.Errorf("an unknown pool gave %v, want an error other than not-found", err)
	}
	if c := fake.Calls(); c[0].Op != cognitofake.OpAdminGetUser || c[0].Username != "jane@example.com" {
		t.Errorf("call %+v", c[0])
	}
}

func TestAliasAttributes(t *testing.T) {
	fake, d := newFake(t)
	fake.CreatePool("both", cognitofake.DefaultPoolConfig)
	fake.CreatePool("email", cognitofake.PoolConfig{AliasAttributes: []string{"email", "preferred_username"}})
	fake.CreatePool("username", cognitofake.PoolConfig{UsernameAttributes: []string{"email"}})
	for pool, want := range map[string][]string{"both": {"email", "phone_number"}, "email": {"email"}, "username": nil} {
		got, err := d.AliasAttributes(context.Background(), pool)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: %v, %v; want %v", pool, got, err, want)
		}
	}
	if _, err := d.AliasAttributes(context.Background(), "missing"); err == nil {
		t.Error("an unknown pool gave no error")
	}
}

func TestDirectoryErrors(t *testing.T) {
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
			fake, d := newFake(t)
			fake.SetFault(tt.fault)
			_, err1 := d.ListUsers(context.Background(), "pool-1", `email = "a@example.com"`, "")
			_, err2 := d.GetUser(context.Background(), "pool-1", "a@example.com")
			_, err3 := d.AliasAttributes(context.Background(), "pool-1")
			for _, err := range []error{err1, err2, err3} {
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code {
					t.Errorf("err = %v, want %s", err, tt.code)
				}
			}
		})
	}
}
