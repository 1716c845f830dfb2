package samtemplate

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// UserPool is an AWS::Cognito::UserPool's shape as the template declares
// it: what decides which sign-ups reach its trigger.
type UserPool struct {
	LogicalID                                                   string
	UsernameAttributes, AliasAttributes, Required, AutoVerified []string
	// WriteAttributes are its app client's, when the template declares one
	// client with WriteAttributes; nil otherwise (Cognito's default).
	WriteAttributes []string
}

// UserPool finds the pool whose PreSignUp trigger is the function fn: its
// LambdaConfig.PreSignUp, or the function's Cognito event, names it; or
// the template's only pool. ok is false when the template declares none.
func (t *Template) UserPool(fn string) (p UserPool, ok bool, err error) {
	var ids, wired []string
	for id, r := range t.resources {
		if scalar(get(r, "Type")) != "AWS::Cognito::UserPool" {
			continue
		}
		if c := scalar(get(r, "Condition")); c != "" {
			if on, known, err := t.condition(c); err != nil || (known && !on) {
				continue
			}
		}
		ids = append(ids, id)
		if mentions(get(get(get(r, "Properties"), "LambdaConfig"), "PreSignUp"), fn) || t.cognitoEvent(fn, id) {
			wired = append(wired, id)
		}
	}
	sort.Strings(ids)
	sort.Strings(wired)
	switch {
	case len(ids) == 0:
		return p, false, nil
	case len(wired) == 1:
		p.LogicalID = wired[0]
	case len(ids) == 1:
		p.LogicalID = ids[0]
	default:
		return p, false, fmt.Errorf("the template has %d user pools (%s) and %s is the PreSignUp trigger of %d of them: give the pool's shape with --username-attributes, --alias-attributes, --required-attributes", len(ids), strings.Join(ids, ", "), fn, len(wired))
	}
	return p, true, t.readPool(&p)
}

// readPool reads the pool's attribute lists, its schema's required
// attributes, and its one client's WriteAttributes.
func (t *Template) readPool(p *UserPool) error {
	props := get(t.resources[p.LogicalID], "Properties")
	var err error
	for _, l := range []struct {
		name string
		into *[]string
	}{{"UsernameAttributes", &p.UsernameAttributes}, {"AliasAttributes", &p.AliasAttributes}, {"AutoVerifiedAttributes", &p.AutoVerified}} {
		if *l.into, err = t.strings(get(props, l.name)); err != nil {
			return fmt.Errorf("%s.%s: %w", p.LogicalID, l.name, err)
		}
	}
	for _, a := range items(get(props, "Schema")) {
		req, ok, err := t.resolve(get(a, "Required"))
		if err != nil || !ok {
			return fmt.Errorf("%s.Schema: Required cannot be resolved before a deployment: %s", p.LogicalID, unresolved(err))
		}
		if name := scalar(get(a, "Name")); strings.EqualFold(req, "true") && name != "" {
			p.Required = append(p.Required, name)
		}
	}
	var clients []string
	for id, r := range t.resources {
		if scalar(get(r, "Type")) == "AWS::Cognito::UserPoolClient" && mentions(get(get(r, "Properties"), "UserPoolId"), p.LogicalID) {
			clients = append(clients, id)
		}
	}
	if len(clients) == 1 {
		if w := get(get(t.resources[clients[0]], "Properties"), "WriteAttributes"); w != nil {
			if p.WriteAttributes, err = t.strings(w); err != nil {
				return fmt.Errorf("%s.WriteAttributes: %w", clients[0], err)
			}
			if p.WriteAttributes == nil {
				p.WriteAttributes = []string{}
			}
		}
	}
	return nil
}

// strings resolves a list of strings; an empty item is left out.
func (t *Template) strings(n *yaml.Node) ([]string, error) {
	if deref(n) == nil {
		return nil, nil
	}
	list, ok, err := t.list(n)
	if err != nil || !ok {
		return nil, fmt.Errorf("%s cannot be resolved before a deployment: %s", describe(n), unresolved(err))
	}
	var out []string
	for _, item := range list {
		v, ok, err := t.resolve(item)
		if err != nil || !ok {
			return nil, fmt.Errorf("%s cannot be resolved before a deployment: %s", describe(item), unresolved(err))
		}
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// cognitoEvent says whether the function fn has a Cognito event for the
// pool id whose Trigger includes PreSignUp, as SAM wires a trigger.
func (t *Template) cognitoEvent(fn, id string) bool {
	for _, e := range pairs(get(get(t.resources[fn], "Properties"), "Events")) {
		props := get(e.value, "Properties")
		if scalar(get(e.value, "Type")) == "Cognito" && mentions(get(props, "UserPool"), id) && strings.Contains(flatten(get(props, "Trigger")), "PreSignUp") {
			return true
		}
	}
	return false
}

// mentions says whether an expression refers to the resource id: !Ref id,
// !GetAtt id.Arn, or ${id} in a !Sub.
func mentions(n *yaml.Node, id string) bool {
	if n == nil {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		v := n.Value
		return v == id || strings.HasPrefix(v, id+".") || strings.Contains(v, "${"+id+"}") || strings.Contains(v, "${"+id+".")
	}
	for _, c := range n.Content {
		if mentions(c, id) {
			return true
		}
	}
	return false
}
