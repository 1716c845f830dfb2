package stack

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/autoconfirm/autoconfirm/harness/poolshape"
)

// createPool creates the local pool in the shape's likeness, as far as
// cognito-local takes it: its alias attributes and its schema's required
// attributes. Usernames stay generated, as Cognito generates them in a pool
// with username attributes, so the trigger sees the same userName;
// AutoVerifiedAttributes are left out, because cognito-local fails a user
// with none of them (docs/cognito-rules.md §9 says what the project
// enforces instead: the scenarios such a pool refuses are not run).
func createPool(ctx context.Context, api *cip.Client, shape poolshape.Shape) (string, error) {
	in := &cip.CreateUserPoolInput{
		PoolName:     aws.String("autoconfirm-live-local"),
		LambdaConfig: &types.LambdaConfigType{PreSignUp: aws.String(FunctionARN)},
	}
	for _, a := range shape.AliasAttributes {
		in.AliasAttributes = append(in.AliasAttributes, types.AliasAttributeType(a))
	}
	for _, a := range shape.Required {
		in.Schema = append(in.Schema, types.SchemaAttributeType{Name: aws.String(a), Required: aws.Bool(true),
			AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)})
	}
	pool, err := api.CreateUserPool(ctx, in)
	if err != nil {
		return "", fmt.Errorf("creating the local pool (%s): %w", shape, err)
	}
	return aws.ToString(pool.UserPool.Id), nil
}

// shapeOf is the shape the stack gives its pool: o.Shape, or the default.
func shapeOf(o Options) poolshape.Shape {
	if o.Shape != nil {
		return *o.Shape
	}
	return poolshape.Default()
}

// usernameHolder reports whether a user's attributes hold value as one of
// the pool's username attributes: such a value is the user's username,
// verified or not, so AdminGetUser resolves it (rules §9).
func (a *aliasResolver) usernameHolder(attrs map[string]string, value string) bool {
	return slices.ContainsFunc(a.usernames, func(attr string) bool {
		v := attrs[attr]
		return v != "" && (v == value || (attr == poolshape.Email && strings.EqualFold(v, value)))
	})
}
