package autoconfirm_test

import (
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/autoconfirm/autoconfirm/handler"
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
	policies, _ := get(resources, role, "Properties", "Policies").([]any)
	for _, p := range policies {
		add(get(p, "PolicyDocument"))
	}
	for _, r := range resources {
		name := get(r, "Properties", "RoleName")
		if get(r, "Type") == "AWS::IAM::RolePolicy" && (reflect.DeepEqual(name, map[string]any{"Ref": role}) || name == role) {
			add(get(r, "Properties", "PolicyDocument"))
		}
	}
	return out
}

// evaluate resolves a template for a set of parameters, as CloudFormation
// would: parameter Refs become their values (defaults where not given),
// conditions are decided, Fn::If picks its branch, AWS::NoValue and resources
// whose condition is false disappear, and Fn::Join joins. Other intrinsics
// stay as they are.
func evaluate(t *testing.T, tpl map[string]any, given map[string]string) map[string]any {
	t.Helper()
	params := map[string]any{}
	for name, p := range get(tpl, "Parameters").(map[string]any) {
		v, ok := given[name]
		if !ok {
			v, _ = get(p, "Default").(string)
		}
		if get(p, "Type") == "CommaDelimitedList" {
			var l []any
			for _, x := range strings.Split(v, ",") {
				l = append(l, x)
			}
			params[name] = l
		} else {
			params[name] = v
		}
	}
	conds := map[string]bool{}
	var resolve func(v any) any
	var cond func(name string) bool
	truth := func(v any) bool {
		b, ok := resolve(v).(bool)
		if !ok {
			t.Fatalf("a condition evaluated to %v", resolve(v))
		}
		return b
	}
	resolve = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 1 {
				for k, arg := range x {
					args, _ := arg.([]any)
					switch k {
					case "Ref":
						if p, ok := params[arg.(string)]; ok {
							return p
						}
						if arg == "AWS::NoValue" {
							return noValue{}
						}
					case "Condition":
						return cond(arg.(string))
					case "Fn::Equals":
						return reflect.DeepEqual(resolve(args[0]), resolve(args[1]))
					case "Fn::Not":
						return !truth(args[0])
					case "Fn::And", "Fn::Or":
						all := k == "Fn::And"
						for _, a := range args {
							if truth(a) != all {
								return !all
							}
						}
						return all
					case "Fn::If":
						if cond(args[0].(string)) {
							return resolve(args[1])
						}
						return resolve(args[2])
					case "Fn::Join":
						var parts []string
						for _, p := range resolve(args[1]).([]any) {
							parts = append(parts, fmt.Sprint(p))
						}
						return strings.Join(parts, args[0].(string))
					}
				}
			}
			out := map[string]any{}
			for k, e := range x {
				if r := resolve(e); r != (noValue{}) {
					out[k] = r
				}
			}
			return out
		case []any:
			var out []any
			for _, e := range x {
				if r := resolve(e); r != (noValue{}) {
					out = append(out, r)
				}
			}
			return out
		}
		return v
	}
	cond = func(name string) bool {
		if c, ok := conds[name]; ok {
			return c
		}
		c := get(tpl, "Conditions", name)
		if c == nil {
			t.Fatalf("no condition %s", name)
		}
		conds[name] = truth(c)
		return conds[name]
	}
	res := map[string]any{}
	for name, r := range get(tpl, "Resources").(map[string]any) {
		if c, ok := get(r, "Condition").(string); ok && !cond(c) {
			continue
		}
		res[name] = resolve(r)
	}
	return res
}

type noValue struct{}

// actionsOf returns the role's actions, checking that each Cognito action is
// granted on the pool only and each logs action on the function's log group.
func actionsOf(t *testing.T, res map[string]any, role, pool string) []string {
	t.Helper()
	var actions []string
	for _, st := range statements(res, role) {
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
			case strings.HasPrefix(a, "cognito-idp:"):
				if !reflect.DeepEqual(st["Resource"], getAtt(pool, "Arn")) {
					t.Errorf("%s is granted on %v, want the pool's ARN", a, st["Resource"])
				}
			case strings.HasPrefix(a, "logs:"):
				if r := fmt.Sprint(st["Resource"]); !strings.Contains(r, "/aws/lambda/${AWS::StackName}-presignup") {
					t.Errorf("%s is granted on %s, want only the function's log group", a, r)
				}
			default:
				t.Errorf("unexpected action %s", a)
			}
		}
		if st["Effect"] != "Allow" {
			t.Errorf("statement effect %v", st["Effect"])
		}
	}
	sort.Strings(actions)
	return actions
}

// modes lists every combination of the parameters that decide the lookups.
func modes() []map[string]string {
	var out []map[string]string
	for _, policy := range []string{"skip-verify", "reject", "allow"} {
		for _, lookup := range []string{"admin-get-user", "list-users"} {
			for _, source := range []string{"template", "pool"} {
				out = append(out, map[string]string{"AliasPolicy": policy, "AliasLookup": lookup, "AliasAttributesSource": source})
			}
		}
	}
	return out
}

func TestTemplateWiring(t *testing.T) {
	tpl := cfn(t, "template.yaml")
	acyclic(t, tpl["Resources"].(map[string]any))
	for _, params := range modes() {
		t.Run(fmt.Sprint(params), func(t *testing.T) {
			res := evaluate(t, tpl, params)
			fn := get(res, "PreSignUpFunction", "Properties")
			for k, want := range map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap", "CodeUri": "dist/autoconfirm.zip", "Architectures": []any{"arm64"}} {
				if got := get(fn, k); !reflect.DeepEqual(got, want) {
					t.Errorf("function %s = %v, want %v", k, got, want)
				}
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
			// The function's own configuration, as the template sets it, says
			// which actions it calls; the role grants exactly those.
			env := map[string]string{}
			for k, v := range get(fn, "Environment", "Variables").(map[string]any) {
				env[k] = fmt.Sprint(v)
			}
			cfg, err := handler.LoadConfig(func(k string) string { return env[k] })
			if err != nil {
				t.Fatalf("the template configures the function with %v: %v", env, err)
			}
			if cfg.Policy != handler.Policy(params["AliasPolicy"]) || cfg.Lookup != handler.LookupMode(params["AliasLookup"]) || cfg.AutoAttributes != (params["AliasAttributesSource"] == "pool" && params["AliasPolicy"] != "allow") {
				t.Errorf("the function runs %+v for %v", cfg, params)
			}
			want := append([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, cfg.Actions()...)
			sort.Strings(want)
			if got := actionsOf(t, res, "PreSignUpRole", "UserPool"); !reflect.DeepEqual(got, want) {
				t.Errorf("the role's actions are %v, want exactly %v", got, want)
			}
			if get(res, "PreSignUpRole", "Properties", "ManagedPolicyArns") != nil {
				t.Error("the role has managed policies; it must grant only what the statements say")
			}
		})
	}
	if got := get(tpl, "Parameters", "AliasPolicy", "AllowedValues"); !reflect.DeepEqual(got, []any{"skip-verify", "reject", "allow"}) {
		t.Errorf("AliasPolicy allowed values %v", got)
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
	for _, params := range modes() {
		if params["AliasPolicy"] != "skip-verify" {
			continue
		}
		cfg, _ := handler.LoadConfig(func(k string) string {
			return map[string]string{"ALIAS_LOOKUP": params["AliasLookup"], "ALIAS_ATTRIBUTES": map[string]string{"pool": "auto", "template": "email"}[params["AliasAttributesSource"]]}[k]
		})
		want := cfg.Actions()
		sort.Strings(want)
		params["FunctionRoleName"] = "autoconfirm-role"
		got := actionsOf(t, evaluate(t, tpl, params), "autoconfirm-role", "TestPool")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: the test pool grants %v, want exactly %v", params, got, want)
		}
	}
	if got := get(res, "TestPoolInvokePermission", "Properties", "SourceArn"); !reflect.DeepEqual(got, getAtt("TestPool", "Arn")) {
		t.Errorf("test pool permission SourceArn %v", got)
	}
}
