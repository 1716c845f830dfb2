// Package cognito adapts the AWS SDK's Cognito client to the guard's narrow
// Directory interface.
package cognito

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/autoconfirm/autoconfirm/handler/guard"
)

// pageLimit is ListUsers' documented maximum page size.
const pageLimit = 60

// API is the part of the SDK client the adapter calls.
type API interface {
	AdminGetUser(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	ListUsers(context.Context, *cip.ListUsersInput, ...func(*cip.Options)) (*cip.ListUsersOutput, error)
	DescribeUserPool(context.Context, *cip.DescribeUserPoolInput, ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
}

// Directory serves guard.Directory with the SDK client.
type Directory struct {
	api API
}

// NewDirectory wraps an SDK client, or anything with its methods.
func NewDirectory(api API) *Directory { return &Directory{api: api} }

// GetUser calls AdminGetUser. UserNotFoundException becomes
// guard.ErrUserNotFound.
func (d *Directory) GetUser(ctx context.Context, poolID, username string) (guard.User, error) {
	out, err := d.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(username)})
	var nf *types.UserNotFoundException
	if errors.As(err, &nf) {
		return guard.User{}, guard.ErrUserNotFound
	}
	if err != nil {
		return guard.User{}, fmt.Errorf("cognito AdminGetUser: %w", err)
	}
	return user(aws.ToString(out.Username), out.UserAttributes), nil
}

// ListUsers returns one page of users that match filter, with every
// attribute: AttributesToGet would fail the call whenever a match lacks one
// of the attributes it names.
func (d *Directory) ListUsers(ctx context.Context, poolID, filter, token string) (guard.Page, error) {
	in := &cip.ListUsersInput{
		UserPoolId: aws.String(poolID),
		Filter:     aws.String(filter),
		Limit:      aws.Int32(pageLimit),
	}
	if token != "" {
		in.PaginationToken = aws.String(token)
	}
	out, err := d.api.ListUsers(ctx, in)
	if err != nil {
		return guard.Page{}, fmt.Errorf("cognito ListUsers: %w", err)
	}
	p := guard.Page{Users: make([]guard.User, 0, len(out.Users)), Next: aws.ToString(out.PaginationToken)}
	for _, u := range out.Users {
		p.Users = append(p.Users, user(aws.ToString(u.Username), u.Attributes))
	}
	return p, nil
}

// AliasAttributes calls DescribeUserPool and returns which of email and
// phone_number are alias attributes. A pool that signs in with them as
// usernames has none: there Cognito itself refuses a second user with the
// same value.
func (d *Directory) AliasAttributes(ctx context.Context, poolID string) ([]string, error) {
	out, err := d.api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		return nil, fmt.Errorf("cognito DescribeUserPool: %w", err)
	}
	if out.UserPool == nil {
		return nil, errors.New("cognito DescribeUserPool: the answer holds no user pool")
	}
	var attrs []string
	for _, a := range out.UserPool.AliasAttributes {
		switch a {
		case types.AliasAttributeTypeEmail:
			attrs = append(attrs, guard.AttrEmail)
		case types.AliasAttributeTypePhoneNumber:
			attrs = append(attrs, guard.AttrPhone)
		}
	}
	return attrs, nil
}

func user(name string, attrs []types.AttributeType) guard.User {
	u := guard.User{Username: name, Attributes: make(map[string]string, len(attrs))}
	for _, a := range attrs {
		u.Attributes[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return u
}
