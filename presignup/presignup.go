// Package presignup is the pre sign-up event's vocabulary, which the
// trigger and the harness that judges it share: its trigger sources, the
// attributes it verifies, which values Cognito could verify, and how a
// value is masked in what a person reads. It imports nothing of either.
package presignup

// The trigger sources of the pre sign-up trigger (docs/cognito-rules.md).
const (
	SourceSignUp           = "PreSignUp_SignUp"
	SourceAdminCreateUser  = "PreSignUp_AdminCreateUser"
	SourceExternalProvider = "PreSignUp_ExternalProvider"
)

// The attributes a pre sign-up answer can mark verified, and that can be
// aliases.
const (
	AttrEmail = "email"
	AttrPhone = "phone_number"
)
