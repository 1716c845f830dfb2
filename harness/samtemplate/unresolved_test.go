package samtemplate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnresolvedSaysWhy: a value that needs a deployment is refused with
// why, never with Go's "<nil>" for an error there was not.
func TestUnresolvedSaysWhy(t *testing.T) {
	const head = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
	const fn = "  PreSignUp:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: .\n      Handler: index.handler\n      Runtime: nodejs22.x\n"
	const pool = "  UserPool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      LambdaConfig:\n        PreSignUp: !GetAtt PreSignUp.Arn\n"
	for _, tt := range []struct {
		name, template, want string
		pool                 bool
	}{
		{"Architectures", head + fn + "      Architectures: [!Ref Bucket]\n", "PreSignUp.Architectures cannot be resolved: it names a resource", false},
		{"a schema's Required", head + fn + pool + "      Schema:\n        - Name: email\n          Required: !GetAtt Bucket.Arn\n", "UserPool.Schema: Required cannot be resolved before a deployment: it names a resource", true},
		{"AliasAttributes", head + fn + pool + "      AliasAttributes: [!Ref Bucket]\n", "cannot be resolved before a deployment: it names a resource", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "template.yaml")
			if err := os.WriteFile(path, []byte(tt.template), 0o644); err != nil {
				t.Fatal(err)
			}
			tpl, err := Read(path, nil)
			if err == nil {
				if tt.pool {
					_, _, err = tpl.UserPool("PreSignUp")
				} else {
					_, err = tpl.Function("")
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "<nil>") {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
