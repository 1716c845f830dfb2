package samtemplate

import (
	"strings"
	"testing"
	"time"
)

func TestFunction(t *testing.T) {
	for _, tt := range []struct {
		name, path, id string
		overrides      map[string]string
		check          func(t *testing.T, f Function)
		err            string
	}{
		{name: "the project's template", path: "../template.yaml", check: func(t *testing.T, f Function) {
			want := Function{LogicalID: "PreSignUpFunction", Runtime: "provided.al2023", Handler: "bootstrap", Architecture: "arm64", Timeout: 5 * time.Second}
			if f.LogicalID != want.LogicalID || f.Runtime != want.Runtime || f.Handler != want.Handler || f.Architecture != want.Architecture || f.Timeout != want.Timeout {
				t.Errorf("%+v", f)
			}
			if !strings.HasSuffix(f.CodeURI, "/dist/autoconfirm.zip") {
				t.Errorf("CodeUri %s", f.CodeURI)
			}
			// !If [ReadsAliases, auto, !Join [",", !Ref AliasAttributes]]
			if f.Env["ALIAS_ATTRIBUTES"] != "email,phone_number" || f.Env["ALIAS_POLICY"] != "skip-verify" || len(f.Unresolved) != 0 {
				t.Errorf("env %v, unresolved %v", f.Env, f.Unresolved)
			}
		}},
		{name: "the project's template, overridden", path: "../template.yaml", overrides: map[string]string{"Architecture": "x86_64", "AliasAttributesSource": "pool"}, check: func(t *testing.T, f Function) {
			if f.Architecture != "x86_64" || f.Env["ALIAS_ATTRIBUTES"] != "auto" {
				t.Errorf("architecture %s, ALIAS_ATTRIBUTES %q", f.Architecture, f.Env["ALIAS_ATTRIBUTES"])
			}
		}},
		{name: "a parameter the template lacks", path: "../template.yaml", overrides: map[string]string{"Arch": "x86_64"}, err: `no parameter "Arch"`},
		{name: "Globals and a variable that names the template's pool", path: "../testdata/templates/node/template.yaml", check: func(t *testing.T, f Function) {
			if f.Runtime != "nodejs22.x" || f.Timeout != 4*time.Second || f.Env["LOG_LEVEL"] != "info" || f.Env["LIST_LIMIT"] != "60" {
				t.Errorf("%+v", f)
			}
			if f.Local["USER_POOL_ID"] != (LocalRef{"!Ref UserPool", PoolID}) || len(f.Unresolved) != 0 {
				t.Errorf("local %v, unresolved %v", f.Local, f.Unresolved)
			}
		}},
		{name: "the long form, a condition, one of two functions", path: "../testdata/templates/python/template.yaml", id: "PreSignUp", check: func(t *testing.T, f Function) {
			if f.Runtime != "python3.11" || f.Env["STAGE_NAME"] != "test-us-east-1" || f.Env["CALL_OTHER_SERVICE"] != "" || f.Architecture != "x86_64" {
				t.Errorf("%+v", f)
			}
		}},
		{name: "a layer of the same template", path: "../testdata/templates/node-layer/template.yaml", check: func(t *testing.T, f Function) {
			if len(f.Layers) != 1 || !strings.HasSuffix(f.Layers[0], "testdata/templates/node-layer/layer") {
				t.Errorf("layers %v", f.Layers)
			}
		}},
		{name: "two functions and none named", path: "../testdata/templates/python/template.yaml", err: "2 functions (PostConfirmation, PreSignUp): name one with --function"},
		{name: "a function the template lacks", path: "../testdata/templates/python/template.yaml", id: "Nope", err: `no AWS::Serverless::Function "Nope"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := Read(tt.path, tt.overrides)
			var f Function
			if err == nil {
				f, err = tp.Function(tt.id)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, f)
		})
	}
}
