package samtemplate

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// deref follows YAML aliases to the node they name. CloudFormation refuses
// a template that holds them, but SAM and `aws cloudformation package`
// resolve them before it sees the template (docs/cognito-rules.md §17), so
// a SAM template may use them. A YAML parser refuses an alias to an anchor
// that holds it; the bound is for safety's sake.
func deref(n *yaml.Node) *yaml.Node {
	for range 64 {
		if n == nil || n.Kind != yaml.AliasNode {
			return n
		}
		n = n.Alias
	}
	return nil
}

// list is the list n gives, for Fn::Join and Fn::Select: a YAML list, a
// Ref to a CommaDelimitedList parameter, Fn::Split, a Mappings list
// (Fn::FindInMap) or Fn::If's choice. ok is false when the list needs a
// deployment (Fn::GetAZs, Fn::GetAtt…); what CloudFormation would refuse
// as a list is an error, never an empty list.
func (t *Template) list(n *yaml.Node) ([]*yaml.Node, bool, error) {
	if err := t.enter(n); err != nil {
		return nil, false, err
	}
	defer t.leave()
	n = deref(n)
	fn, arg := intrinsic(n)
	switch fn {
	case "":
		if n == nil || n.Kind != yaml.SequenceNode {
			return nil, false, errors.New("a list is needed here; CloudFormation refuses " + describe(n))
		}
		return n.Content, true, nil
	case "Ref":
		v, ok := t.params[scalar(arg)]
		return splitList(v, ","), ok, nil
	case "Fn::Split":
		parts := items(arg)
		if len(parts) != 2 {
			return nil, false, errors.New("Fn::Split takes a delimiter and a string")
		}
		v, ok, err := t.resolve(parts[1])
		return splitList(v, scalar(parts[0])), ok, err
	case "Fn::FindInMap":
		v, ok, err := t.findInMap(arg)
		if err != nil || !ok {
			return nil, ok, err
		}
		return t.list(v)
	case "Fn::If":
		c, err := t.chosen(n)
		if err != nil || c == nil {
			return nil, err == nil, err
		}
		return t.list(c)
	}
	return nil, false, nil
}

// splitList is v's items between sep, each a string node.
func splitList(v, sep string) []*yaml.Node {
	if sep == "" {
		return []*yaml.Node{{Kind: yaml.ScalarNode, Value: v}}
	}
	var out []*yaml.Node
	for _, s := range strings.Split(v, sep) {
		out = append(out, &yaml.Node{Kind: yaml.ScalarNode, Value: strings.TrimSpace(s)})
	}
	return out
}

// findInMap is the node Fn::FindInMap names in the template's own
// Mappings, its keys evaluated (a parameter's value, AWS::Region's local
// one). A mapping's top-level keys hold maps, whose values are strings or
// lists of strings, as CloudFormation requires.
func (t *Template) findInMap(arg *yaml.Node) (*yaml.Node, bool, error) {
	parts := items(arg)
	if len(parts) != 3 {
		return nil, false, errors.New("Fn::FindInMap takes a map's name and two keys")
	}
	node := get(t.root, "Mappings")
	var keys []string
	for i, p := range parts {
		k, ok, err := t.resolve(p)
		if err != nil || !ok {
			return nil, ok, err
		}
		keys = append(keys, k)
		if deref(node) == nil || deref(node).Kind != yaml.MappingNode {
			return nil, false, fmt.Errorf("Fn::FindInMap %s: %s is not a map in the template's Mappings, which CloudFormation refuses", strings.Join(keys, "/"), strings.Join(keys[:i], "/"))
		}
		node = get(node, k)
	}
	if node == nil {
		return nil, false, fmt.Errorf("Fn::FindInMap %s: no such entry in the template's Mappings", strings.Join(keys, "/"))
	}
	return node, true, nil
}

// Bounds on evaluating a template's values (docs/cognito-rules.md §17):
// maxSteps intrinsics and values in all, maxDepth nested. A template's
// values take some hundreds of steps and nest a few deep; YAML aliases that
// each name the one before a dozen times take 12^15 steps in 2 KB, and a
// Mappings value may name itself (red team round 24: a run that only
// SIGKILL ended, and a stack overflow).
const (
	maxSteps = 1_000_000
	maxDepth = 64
)

// errTooLong marks a template whose values take too long to evaluate.
var errTooLong = errors.New("its values take too long to evaluate")

// enter counts one evaluation step of n, one level deeper; leave ends it.
func (t *Template) enter(n *yaml.Node) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	if t.steps++; t.steps > maxSteps {
		return fmt.Errorf("the template: %w: more than %d intrinsic functions and values (at line %d); YAML aliases multiply them", errTooLong, maxSteps, line)
	}
	if t.depth++; t.depth > maxDepth {
		t.depth--
		return fmt.Errorf("the template: %w: a value nests more than %d intrinsic functions deep (at line %d); a Mappings value that names itself does", errTooLong, maxDepth, line)
	}
	return nil
}

func (t *Template) leave() { t.depth-- }
