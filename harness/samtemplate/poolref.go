package samtemplate

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// What a LocalRef names. A local run stands in a pool and an app client of
// its own for the template's, so a variable that names one of these gets the
// local value; the names are those of local's --env placeholders, less "@".
const (
	PoolID           = "pool-id"
	PoolARN          = "pool-arn"
	PoolProviderName = "pool-provider-name"
	PoolProviderURL  = "pool-provider-url"
	ClientID         = "client-id"
)

// A LocalRef is an environment variable whose value names the template's own
// user pool or one of its app clients, which needs a deployment on Lambda and
// which a local run has a stand-in for.
type LocalRef struct {
	// Expr is the expression as the template writes it: "!Ref UserPool".
	Expr string
	// Value is what it names: PoolID, PoolARN, PoolProviderName,
	// PoolProviderURL or ClientID.
	Value string
}

// poolAttrs are the AWS::Cognito::UserPool attributes a LocalRef takes, and
// clientAttrs the AWS::Cognito::UserPoolClient ones; Ref gives the id of
// either ("" below). Source: the resources' "Return values" in the
// CloudFormation reference (rules §10).
var (
	poolAttrs   = map[string]string{"": PoolID, "UserPoolId": PoolID, "Arn": PoolARN, "ProviderName": PoolProviderName, "ProviderURL": PoolProviderURL}
	clientAttrs = map[string]string{"": ClientID, "ClientId": ClientID}
)

// ownPool is the user pool of this template that a local run stands in for,
// with function id as its trigger: the pool that calls the function as its
// PreSignUp trigger, through its LambdaConfig or the function's Cognito
// event, else the template's only pool; "" when there is none or the choice
// is not clear.
func (t *Template) ownPool(id string) string {
	var pools, calling []string
	for name, r := range t.resources {
		if scalar(get(r, "Type")) != "AWS::Cognito::UserPool" {
			continue
		}
		pools = append(pools, name)
		if target, _ := t.reference(get(get(get(r, "Properties"), "LambdaConfig"), "PreSignUp")); target == id {
			calling = append(calling, name)
		}
	}
	// SAM's form: Events: {X: {Type: Cognito, Properties: {UserPool: !Ref P, Trigger: PreSignUp}}}.
	for _, e := range pairs(get(get(t.resources[id], "Properties"), "Events")) {
		props := get(e.value, "Properties")
		trigger := get(props, "Trigger")
		if scalar(get(e.value, "Type")) != "Cognito" || (scalar(trigger) != "PreSignUp" && !hasItem(trigger, "PreSignUp")) {
			continue
		}
		if pool, attr := t.reference(get(props, "UserPool")); attr == "" && pool != "" && !slices.Contains(calling, pool) {
			calling = append(calling, pool)
		}
	}
	switch {
	case len(calling) == 1:
		return calling[0]
	case len(calling) == 0 && len(pools) == 1:
		return pools[0]
	}
	return ""
}

// localRef reads n as a reference to pool or to one of its app clients.
func (t *Template) localRef(n *yaml.Node, pool string) (LocalRef, bool) {
	if pool == "" {
		return LocalRef{}, false
	}
	name, attr := t.reference(n)
	if name == "" {
		return LocalRef{}, false
	}
	if v, ok := poolAttrs[attr]; ok && name == pool {
		return LocalRef{Expr: describe(n), Value: v}, true
	}
	r := t.resources[name]
	if scalar(get(r, "Type")) != "AWS::Cognito::UserPoolClient" {
		return LocalRef{}, false
	}
	if owner, _ := t.reference(get(get(r, "Properties"), "UserPoolId")); owner != pool {
		return LocalRef{}, false
	}
	if v, ok := clientAttrs[attr]; ok {
		return LocalRef{Expr: describe(n), Value: v}, true
	}
	return LocalRef{}, false
}

// reference names the resource and attribute n refers to, as a whole value:
// !Ref X (attribute ""), !GetAtt X.Attr in either form, and !Sub whose
// string is exactly "${X}" or "${X.Attr}". Anything else is "".
func (t *Template) reference(n *yaml.Node) (resource, attr string) {
	fn, arg := intrinsic(n)
	switch fn {
	case "Ref":
		return scalar(arg), ""
	case "Fn::GetAtt":
		if parts := items(arg); len(parts) == 2 {
			return scalar(parts[0]), scalar(parts[1])
		}
		name, attr, _ := strings.Cut(scalar(arg), ".")
		return name, attr
	case "Fn::Sub":
		s := scalar(arg)
		if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") {
			return "", ""
		}
		inner := s[2 : len(s)-1]
		if inner == "" || strings.ContainsAny(inner, "${}!") {
			return "", ""
		}
		name, attr, _ := strings.Cut(inner, ".")
		if _, isParam := t.params[name]; isParam {
			return "", ""
		}
		return name, attr
	}
	return "", ""
}

func hasItem(n *yaml.Node, value string) bool {
	for _, c := range items(n) {
		if scalar(c) == value {
			return true
		}
	}
	return false
}
