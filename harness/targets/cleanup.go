package targets

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// ErrNotOurs refuses a cleanup of users the harness did not create.
var ErrNotOurs = errors.New("refusing to delete users the harness did not create")

// Cleanup deletes every user whose username starts with prefix, which must
// start with UserPrefix. It reports progress through progress and returns how
// many users it deleted.
func Cleanup(ctx context.Context, api Users, poolID, prefix string, progress func(string)) (int, error) {
	if !strings.HasPrefix(prefix, UserPrefix) {
		return 0, fmt.Errorf("%w: the prefix %q does not start with %q", ErrNotOurs, prefix, UserPrefix)
	}
	a := newAdmin(api, poolID, 4)
	deleted := 0
	for round := 0; round < 20; round++ {
		var names []string
		var token *string
		for {
			out, err := api.ListUsers(ctx, &cip.ListUsersInput{
				UserPoolId:      aws.String(poolID),
				Filter:          aws.String(fmt.Sprintf(`username ^= "%s"`, prefix)),
				PaginationToken: token,
			})
			if err != nil {
				return deleted, fmt.Errorf("listing users with prefix %s in %s: %w", prefix, poolID, err)
			}
			for _, u := range out.Users {
				// cognito-local ignores Limit and may ignore case; check again.
				if name := aws.ToString(u.Username); strings.HasPrefix(name, prefix) {
					names = append(names, name)
				}
			}
			if token = out.PaginationToken; token == nil || *token == "" {
				break
			}
		}
		if len(names) == 0 {
			return deleted, nil
		}
		for _, n := range names {
			if err := a.delete(ctx, n); err != nil {
				return deleted, err
			}
			deleted++
			if progress != nil && deleted%10 == 0 {
				progress(fmt.Sprintf("deleted %d users", deleted))
			}
		}
		// ListUsers is eventually consistent: list again until nothing is left.
	}
	return deleted, fmt.Errorf("users with prefix %s keep appearing after 20 rounds of deletion", prefix)
}
