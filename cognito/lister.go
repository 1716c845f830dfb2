// Package cognito adapts the AWS SDK's Cognito client to the handler's narrow
// UserLister interface.
package cognito

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/autoconfirm/autoconfirm/handler"
)

// pageLimit is ListUsers' documented maximum page size.
const pageLimit = 60

// Lister serves handler.UserLister with the SDK's ListUsers.
type Lister struct {
	api cip.ListUsersAPIClient
}

// NewLister wraps an SDK client, or anything with its ListUsers method.
func NewLister(api cip.ListUsersAPIClient) *Lister { return &Lister{api: api} }

// attributes the guard reads; asking for only these keeps replies small.
var attributesToGet = []string{"sub", handler.AttrEmail, "email_verified", handler.AttrPhone, "phone_number_verified"}

// ListUsers returns one page of users that match filter.
func (l *Lister) ListUsers(ctx context.Context, poolID, filter, token string) (handler.Page, error) {
	in := &cip.ListUsersInput{
		UserPoolId:      aws.String(poolID),
		Filter:          aws.String(filter),
		Limit:           aws.Int32(pageLimit),
		AttributesToGet: attributesToGet,
	}
	if token != "" {
		in.PaginationToken = aws.String(token)
	}
	out, err := l.api.ListUsers(ctx, in)
	if err != nil {
		return handler.Page{}, fmt.Errorf("cognito ListUsers: %w", err)
	}
	p := handler.Page{Users: make([]handler.User, 0, len(out.Users)), Next: aws.ToString(out.PaginationToken)}
	for _, u := range out.Users {
		hu := handler.User{Username: aws.ToString(u.Username), Attributes: make(map[string]string, len(u.Attributes))}
		for _, a := range u.Attributes {
			hu.Attributes[aws.ToString(a.Name)] = aws.ToString(a.Value)
		}
		p.Users = append(p.Users, hu)
	}
	return p, nil
}
