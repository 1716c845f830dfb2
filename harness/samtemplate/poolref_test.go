package samtemplate

import (
	"maps"
	"os"
	"path/filepath"
	"testing"
)

// A template with two pools, one of which calls the function, a client of
// each, and a table: only references to the calling pool and its client are
// local.
const poolTemplate = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: test}
Globals:
  Function:
    Environment:
      Variables:
        GLOBAL_POOL: !Ref UserPool
        OVERRIDDEN: !Ref UserPool
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties:
      LambdaConfig: {PreSignUp: !GetAtt Fn.Arn}
  OtherPool:
    Type: AWS::Cognito::UserPool
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref UserPool}
  OtherClient:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref OtherPool}
  Table:
    Type: AWS::DynamoDB::Table
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: code
      Runtime: nodejs22.x
      Handler: index.handler
      Environment:
        Variables:
          OVERRIDDEN: plain
          POOL_ID: !Ref UserPool
          POOL_ID_ATTR: !GetAtt UserPool.UserPoolId
          POOL_ARN: !GetAtt UserPool.Arn
          POOL_ARN_LONG: {"Fn::GetAtt": [UserPool, Arn]}
          PROVIDER_NAME: !GetAtt UserPool.ProviderName
          PROVIDER_URL: !GetAtt UserPool.ProviderURL
          SUB_ID: !Sub "${UserPool}"
          SUB_ARN: !Sub "${UserPool.Arn}"
          CLIENT_ID: !Ref Client
          CLIENT_ID_ATTR: !GetAtt Client.ClientId
          SUB_STAGE: !Sub "${Stage}"
          SUB_MIXED: !Sub "pool-${UserPool}"
          OTHER_POOL: !Ref OtherPool
          OTHER_CLIENT: !Ref OtherClient
          CLIENT_SECRET: !GetAtt Client.ClientSecret
          TABLE: !Ref Table
`

// samEvent is a pool that names the function only through SAM's Cognito
// event, beside another pool.
const samEvent = `
Resources:
  A: {Type: AWS::Cognito::UserPool}
  B: {Type: AWS::Cognito::UserPool}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: code
      Runtime: nodejs22.x
      Handler: index.handler
      Events:
        SignUp:
          Type: Cognito
          Properties: {UserPool: !Ref B, Trigger: [PreSignUp, PostConfirmation]}
      Environment:
        Variables: {POOL_A: !Ref A, POOL_B: !Ref B}
`

// twoPools has two pools, neither of which names the function: neither is
// the one the run stands in for.
const twoPools = `
Resources:
  A: {Type: AWS::Cognito::UserPool}
  B: {Type: AWS::Cognito::UserPool}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: code
      Runtime: nodejs22.x
      Handler: index.handler
      Environment:
        Variables: {POOL_A: !Ref A}
`

func TestLocalRefs(t *testing.T) {
	for _, tt := range []struct {
		name, template string
		local          map[string]LocalRef
		env            map[string]string
		unresolved     map[string]string
	}{
		{name: "the pool that calls the function, and its client", template: poolTemplate,
			local: map[string]LocalRef{
				"GLOBAL_POOL":    {"!Ref UserPool", PoolID},
				"POOL_ID":        {"!Ref UserPool", PoolID},
				"POOL_ID_ATTR":   {"!GetAtt UserPool.UserPoolId", PoolID},
				"POOL_ARN":       {"!GetAtt UserPool.Arn", PoolARN},
				"POOL_ARN_LONG":  {"!GetAtt UserPool,Arn", PoolARN},
				"PROVIDER_NAME":  {"!GetAtt UserPool.ProviderName", PoolProviderName},
				"PROVIDER_URL":   {"!GetAtt UserPool.ProviderURL", PoolProviderURL},
				"SUB_ID":         {"!Sub ${UserPool}", PoolID},
				"SUB_ARN":        {"!Sub ${UserPool.Arn}", PoolARN},
				"CLIENT_ID":      {"!Ref Client", ClientID},
				"CLIENT_ID_ATTR": {"!GetAtt Client.ClientId", ClientID},
			},
			env: map[string]string{"OVERRIDDEN": "plain", "SUB_STAGE": "test"},
			unresolved: map[string]string{"SUB_MIXED": "!Sub pool-${UserPool}", "OTHER_POOL": "!Ref OtherPool", "OTHER_CLIENT": "!Ref OtherClient",
				"CLIENT_SECRET": "!GetAtt Client.ClientSecret", "TABLE": "!Ref Table"}},
		{name: "SAM's Cognito event names the pool", template: samEvent,
			local: map[string]LocalRef{"POOL_B": {"!Ref B", PoolID}}, env: map[string]string{}, unresolved: map[string]string{"POOL_A": "!Ref A"}},
		{name: "two pools, neither naming the function", template: twoPools,
			local: map[string]LocalRef{}, env: map[string]string{}, unresolved: map[string]string{"POOL_A": "!Ref A"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(path, []byte(tt.template), 0o644); err != nil {
				t.Fatal(err)
			}
			tp, err := Read(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			f, err := tp.Function("")
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(f.Local, tt.local) {
				t.Errorf("local %v, want %v", f.Local, tt.local)
			}
			if !maps.Equal(f.Env, tt.env) {
				t.Errorf("env %v, want %v", f.Env, tt.env)
			}
			if !maps.Equal(f.Unresolved, tt.unresolved) {
				t.Errorf("unresolved %v, want %v", f.Unresolved, tt.unresolved)
			}
		})
	}
}
