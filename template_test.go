package autoconfirm_test

import (
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// cfn decodes a CloudFormation YAML template into plain values, turning the
// short intrinsic tags (!Ref, !GetAtt, !Sub, …) into their long forms.
func cfn(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	v, err := decode(doc.Content[0])
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v.(map[string]any)
}

func decode(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := decode(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		var s []any
		for _, c := range n.Content {
			val, err := decode(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		v = s
	case yaml.ScalarNode:
		v = n.Value
	case yaml.AliasNode:
		return decode(n.Alias)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name := n.Tag[1:]
		switch name {
		case "Ref", "Condition":
			return map[string]any{name: v}, nil
		case "GetAtt":
			if s, ok := v.(string); ok {
				res, attr, _ := strings.Cut(s, ".")
				v = []any{res, attr}
			}
			return map[string]any{"Fn::GetAtt": v}, nil
		case "Sub", "Join", "Not", "Equals", "If", "And", "Or", "Select", "Split", "FindInMap", "ImportValue", "Base64", "Cidr", "GetAZs":
			return map[string]any{"Fn::" + name: v}, nil
		default:
			return nil, fmt.Errorf("line %d: unknown intrinsic !%s", n.Line, name)
		}
	}
	return v, nil
}

func get(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func getAtt(resource, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{resource, attr}}
}

// refs lists the resources a value refers to, through Ref, GetAtt and ${…}.
func refs(v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch k {
			case "Ref":
				if s, ok := val.(string); ok {
					out[s] = true
				}
			case "Fn::GetAtt":
				if s, ok := val.([]any); ok && len(s) > 0 {
					out[fmt.Sprint(s[0])] = true
				}
			case "Fn::Sub":
				s, _ := val.(string)
				if l, ok := val.([]any); ok && len(l) > 0 {
					s, _ = l[0].(string)
					refs(l[1:], out)
				}
				for _, part := range strings.Split(s, "${")[1:] {
					name := strings.SplitN(strings.SplitN(part, "}", 2)[0], ".", 2)[0]
					out[name] = true
				}
			default:
				refs(val, out)
			}
		}
	case []any:
		for _, e := range x {
			refs(e, out)
		}
	}
}

// acyclic fails the test if the resources' references form a cycle.
func acyclic(t *testing.T, resources map[string]any) {
	deps := map[string][]string{}
	for name, r := range resources {
		out := map[string]bool{}
		refs(r, out)
		if d, ok := get(r, "DependsOn").(string); ok {
			out[d] = true
		}
		for d := range out {
			if _, isRes := resources[d]; isRes {
				deps[name] = append(deps[name], d)
			}
		}
	}
	state := map[string]int{}
	var visit func(string, []string)
	visit = func(n string, path []string) {
		switch state[n] {
		case 1:
			t.Errorf("circular reference: %s -> %s", strings.Join(path, " -> "), n)
			return
		case 2:
			return
		}
		state[n] = 1
		for _, d := range deps[n] {
			visit(d, append(path, n))
		}
		state[n] = 2
	}
	names := make([]string, 0, len(resources))
	for n := range resources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		visit(n, nil)
	}
}

// statements returns every IAM statement granted to the function's role.
func statements(resources map[string]any, role string) []map[string]any {
	var out []map[string]any
	add := func(doc any) {
		for _, s := range get(doc, "Statement").([]any) {
			out = append(out, s.(map[string]any))
		}
	}
	for _, p := range get(resources, role, "Properties", "Policies").([]any) {
		add(get(p, "PolicyDocument"))
	}
	for _, r := range resources {
		if get(r, "Type") == "AWS::IAM::RolePolicy" && reflect.DeepEqual(get(r, "Properties", "RoleName"), map[string]any{"Ref": role}) {
			add(get(r, "Properties", "PolicyDocument"))
		}
	}
	return out
}

func TestTemplateWiring(t *testing.T) {
	tpl := cfn(t, "template.yaml")
	res := tpl["Resources"].(map[string]any)
	acyclic(t, res)

	fn := get(res, "PreSignUpFunction", "Properties")
	for k, want := range map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap", "CodeUri": "dist/autoconfirm.zip", "Architectures": []any{"arm64"}} {
		if got := get(fn, k); !reflect.DeepEqual(got, want) {
			t.Errorf("function %s = %v, want %v", k, got, want)
		}
	}
	if got := get(fn, "Environment", "Variables", "ALIAS_POLICY"); !reflect.DeepEqual(got, map[string]any{"Ref": "AliasPolicy"}) {
		t.Errorf("ALIAS_POLICY = %v, want the AliasPolicy parameter", got)
	}
	if got := get(tpl, "Parameters", "AliasPolicy", "AllowedValues"); !reflect.DeepEqual(got, []any{"skip-verify", "reject", "allow"}) {
		t.Errorf("AliasPolicy allowed values %v", got)
	}
	if got := get(res, "UserPool", "Properties", "LambdaConfig", "PreSignUp"); !reflect.DeepEqual(got, getAtt("PreSignUpFunction", "Arn")) {
		t.Errorf("the pool's PreSignUp trigger is %v, want the function's ARN", got)
	}
	if got := get(res, "UserPool", "Properties", "AutoVerifiedAttributes"); got != nil {
		t.Errorf("the pool auto-verifies %v: the trigger does that", got)
	}

	perm := get(res, "CognitoInvokePermission", "Properties")
	for k, want := range map[string]any{
		"Principal": "cognito-idp.amazonaws.com", "Action": "lambda:InvokeFunction",
		"FunctionName": getAtt("PreSignUpFunction", "Arn"), "SourceArn": getAtt("UserPool", "Arn"),
		"SourceAccount": map[string]any{"Ref": "AWS::AccountId"},
	} {
		if got := get(perm, k); !reflect.DeepEqual(got, want) {
			t.Errorf("permission %s = %v, want %v", k, got, want)
		}
	}

	// The role grants exactly ListUsers on the pool, plus writing its own logs.
	var actions []string
	for _, st := range statements(res, "PreSignUpRole") {
		var acts []string
		switch a := st["Action"].(type) {
		case string:
			acts = []string{a}
		case []any:
			for _, x := range a {
				acts = append(acts, x.(string))
			}
		}
		for _, a := range acts {
			actions = append(actions, a)
			switch {
			case a == "cognito-idp:ListUsers":
				if !reflect.DeepEqual(st["Resource"], getAtt("UserPool", "Arn")) {
					t.Errorf("ListUsers is granted on %v, want the pool's ARN", st["Resource"])
				}
			case strings.HasPrefix(a, "logs:"):
				if r := fmt.Sprint(st["Resource"]); !strings.Contains(r, "/aws/lambda/${AWS::StackName}-presignup") {
					t.Errorf("%s is granted on %s, want only the function's log group", a, r)
				}
			}
		}
		if st["Effect"] != "Allow" {
			t.Errorf("statement effect %v", st["Effect"])
		}
	}
	sort.Strings(actions)
	if want := []string{"cognito-idp:ListUsers", "logs:CreateLogStream", "logs:PutLogEvents"}; !reflect.DeepEqual(actions, want) {
		t.Errorf("the role's actions are %v, want exactly %v", actions, want)
	}
	if get(res, "PreSignUpRole", "Properties", "ManagedPolicyArns") != nil {
		t.Error("the role has managed policies; it must grant only what the statements say")
	}
}

func TestTestPoolTemplate(t *testing.T) {
	tpl := cfn(t, "deploy/test-pool.yaml")
	res := tpl["Resources"].(map[string]any)
	acyclic(t, res)
	pool := get(res, "TestPool", "Properties")
	if get(pool, "AutoVerifiedAttributes") != nil {
		t.Error("the test pool must not auto-verify: it would mail codes to test addresses")
	}
	if got := get(pool, "LambdaConfig", "PreSignUp"); !reflect.DeepEqual(got, map[string]any{"Ref": "FunctionArn"}) {
		t.Errorf("test pool trigger %v", got)
	}
	if get(res, "TestClient", "Properties", "GenerateSecret") != "true" {
		t.Error("the test client must have a secret, so SecretHash is exercised")
	}
	if got := get(res, "TestPoolListUsersPolicy", "Properties", "PolicyDocument", "Statement"); !reflect.DeepEqual(got, []any{map[string]any{
		"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": getAtt("TestPool", "Arn")}}) {
		t.Errorf("test pool ListUsers grant %v", got)
	}
	if got := get(res, "TestPoolInvokePermission", "Properties", "SourceArn"); !reflect.DeepEqual(got, getAtt("TestPool", "Arn")) {
		t.Errorf("test pool permission SourceArn %v", got)
	}
}
