package stack

import (
	"fmt"
	"io"
	"net/http"
)

// The function's calls to Cognito are answered as an execution role scoped
// to the run's pool would have them answered (rules §16): the reads of the
// pool and its users, and the writes a pre sign-up trigger makes on one
// user, such as linking a federated identity, are granted on that pool; any
// other call that IAM authorizes is denied, as is any call on another pool.
// Calls that Cognito authorizes by app client or token, not IAM, pass.

// ExecutionRole is the principal IAM names when it denies the function a
// call: Lambda's session for the function's execution role carries the
// function's name.
const ExecutionRole = "arn:aws:sts::000000000000:assumed-role/" + FunctionName + "Role/" + FunctionName

// grantedOps are the operations the scoped role allows on the run's pool.
var grantedOps = setOf(
	// Reads of the pool, its clients, providers, groups and users.
	"AdminGetUser", "ListUsers", "ListUsersInGroup", "AdminListGroupsForUser", "ListGroups", "GetGroup",
	"DescribeUserPool", "DescribeUserPoolClient", "ListUserPoolClients", "GetUserPoolMfaConfig", "GetCSVHeader",
	"DescribeIdentityProvider", "ListIdentityProviders", "GetIdentityProviderByIdentifier",
	"AdminListDevices", "AdminGetDevice", "AdminListUserAuthEvents",
	// What a pre sign-up trigger writes: a federated identity linked to
	// the native user, which it may create, set a password for, verify
	// and put in a group first.
	"AdminLinkProviderForUser", "AdminCreateUser", "AdminSetUserPassword", "AdminUpdateUserAttributes", "AdminAddUserToGroup",
)

// publicOps are authorized by an app client or a user's token, which IAM
// does not evaluate; the API reference says so of each.
var publicOps = setOf(
	"SignUp", "ConfirmSignUp", "ResendConfirmationCode", "InitiateAuth", "RespondToAuthChallenge",
	"ForgotPassword", "ConfirmForgotPassword", "GetUser", "UpdateUserAttributes", "DeleteUser", "DeleteUserAttributes",
	"ChangePassword", "GlobalSignOut", "RevokeToken", "VerifyUserAttribute", "GetUserAttributeVerificationCode",
	"AssociateSoftwareToken", "VerifySoftwareToken", "SetUserMFAPreference", "SetUserSettings",
	"ConfirmDevice", "GetDevice", "ListDevices", "ForgetDevice", "UpdateDeviceStatus", "UpdateAuthEventFeedback",
	"GetUserAuthFactors", "GetTokensFromRefreshToken", "StartWebAuthnRegistration", "CompleteWebAuthnRegistration",
	"ListWebAuthnCredentials", "DeleteWebAuthnCredential",
)

func setOf(ops ...string) map[string]bool {
	m := make(map[string]bool, len(ops))
	for _, op := range ops {
		m[op] = true
	}
	return m
}

// roleAllows says whether the scoped role lets the function call op on
// its own pool. Every operation not named above is denied: pool and client
// changes (CreateUserPool, UpdateUserPool, DeleteUserPool,
// CreateUserPoolClient, …), ListUserPools, and user writes no trigger
// needs (AdminDeleteUser, AdminDisableUser, …).
func roleAllows(op string) bool { return grantedOps[op] || publicOps[op] }

// resourceOf is the ARN IAM names for a call: the pool's, or "*" for an
// operation on no pool (CreateUserPool, ListUserPools).
func resourceOf(pool, arn string) string {
	switch {
	case pool != "":
		return PoolARN(pool)
	case arn != "":
		return arn
	}
	return "*"
}

// denyAccess answers as IAM does for a call the role does not allow: HTTP
// 400, AccessDeniedException, naming the principal, the action and the
// resource.
func denyAccess(w http.ResponseWriter, op, resource string) {
	fail(w, "AccessDeniedException", fmt.Sprintf("User: %s is not authorized to perform: cognito-idp:%s on resource: %s because no identity-based policy allows the cognito-idp:%s action",
		ExecutionRole, op, resource, op))
}

// deniedNote tells progress of an operation the role denied on the run's
// pool: the handler may rely on a call its real role allows.
func deniedNote(progress io.Writer) func(op string) {
	if progress == nil {
		return nil
	}
	return func(op string) {
		fmt.Fprintf(progress, "local: the handler called cognito-idp:%s, which an execution role scoped to the run's pool is denied, so it got AccessDeniedException (rules §16); on Lambda, its own role decides\n", op)
	}
}
