package samtemplate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// pseudo are the pseudo parameters, as sam local gives them.
var pseudo = map[string]string{"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
	"AWS::StackName": "local", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": ""}

// unresolved says why a value could not be resolved: the error, or, when
// resolve gave none, that the value needs a deployment. A message never
// shows a nil error.
func unresolved(err error) string {
	if err != nil {
		return err.Error()
	}
	return "it names a resource or an attribute that exists only once the stack is deployed"
}

// MaxValue is the most a value may grow to as the template is evaluated:
// Lambda's limit on a function's environment variables together, 4 KB
// (docs/cognito-rules.md §17). A few nested Fn::Sub or Fn::Join double a
// value at each level, and would otherwise take all the memory there is.
const MaxValue = 4 << 10

// resolve evaluates n; ok is false when it needs a deployment.
func (t *Template) resolve(n *yaml.Node) (string, bool, error) {
	if err := t.enter(n); err != nil {
		return "", false, err
	}
	defer t.leave()
	v, ok, err := t.evaluate(n)
	if err == nil && len(v) > MaxValue {
		return "", false, fmt.Errorf("a value grows to more than %d bytes as the template is evaluated (at line %d), past Lambda's 4 KB limit on a function's environment variables together (docs/cognito-rules.md §17)", MaxValue, n.Line)
	}
	return v, ok, err
}

func (t *Template) evaluate(n *yaml.Node) (string, bool, error) {
	if n = deref(n); n == nil {
		return "", true, nil
	}
	fn, arg := intrinsic(n)
	switch fn {
	case "":
		if n.Kind == yaml.ScalarNode {
			return n.Value, true, nil
		}
		if n.Kind == yaml.SequenceNode {
			return "", false, fmt.Errorf("line %d: a list where CloudFormation takes a string", n.Line)
		}
		return "", false, nil
	case "Ref":
		name := scalar(arg)
		if v, ok := t.params[name]; ok {
			return v, true, nil
		}
		if v, ok := pseudo[name]; ok {
			return v, true, nil
		}
		return "", false, nil
	case "Fn::Sub":
		return t.sub(arg)
	case "Fn::Join":
		return t.join(arg)
	case "Fn::Select":
		return t.selectOne(arg)
	case "Fn::FindInMap":
		v, ok, err := t.findInMap(arg)
		if err != nil || !ok {
			return "", ok, err
		}
		return t.resolve(v)
	case "Fn::If":
		parts := items(arg)
		if len(parts) != 3 {
			return "", false, errors.New("Fn::If takes a condition and two values")
		}
		c, ok, err := t.condition(scalar(parts[0]))
		if err != nil || !ok {
			return "", ok, err
		}
		if c {
			return t.resolve(parts[1])
		}
		return t.resolve(parts[2])
	}
	return "", false, nil
}

// join evaluates Fn::Join's delimiter and list, up to MaxValue items.
func (t *Template) join(arg *yaml.Node) (string, bool, error) {
	parts := items(arg)
	if len(parts) != 2 {
		return "", false, errors.New("Fn::Join takes a delimiter and a list")
	}
	list, ok, err := t.list(parts[1])
	if err != nil || !ok {
		return "", ok, err
	}
	var out []string
	for _, item := range list {
		v, ok, err := t.resolve(item)
		if err != nil || !ok {
			return "", ok, err
		}
		if out = append(out, v); len(out) > MaxValue {
			break
		}
	}
	return strings.Join(out, scalar(parts[0])), true, nil
}

// selectOne evaluates Fn::Select's index into its list.
func (t *Template) selectOne(arg *yaml.Node) (string, bool, error) {
	parts := items(arg)
	if len(parts) != 2 {
		return "", false, errors.New("Fn::Select takes an index and a list")
	}
	list, ok, err := t.list(parts[1])
	if err != nil || !ok {
		return "", ok, err
	}
	i, err := strconv.Atoi(scalar(parts[0]))
	if err != nil || i < 0 || i >= len(list) {
		return "", false, fmt.Errorf("Fn::Select index %s is out of range", scalar(parts[0]))
	}
	return t.resolve(list[i])
}

// chosen follows Fn::If to the value it chooses, for a node of any kind, as
// CloudFormation does: nil for AWS::NoValue, which removes the value.
func (t *Template) chosen(n *yaml.Node) (*yaml.Node, error) {
	for range 64 {
		if n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		fn, arg := intrinsic(n)
		switch {
		case fn == "Ref" && scalar(arg) == "AWS::NoValue":
			return nil, nil
		case fn != "Fn::If":
			return n, nil
		}
		parts := items(arg)
		if len(parts) != 3 {
			return nil, errors.New("Fn::If takes a condition and two values")
		}
		c, ok, err := t.condition(scalar(parts[0]))
		switch {
		case err != nil:
			return nil, err
		case !ok:
			return nil, fmt.Errorf("the condition %s has no value before a deployment", scalar(parts[0]))
		case c:
			n = parts[1]
		default:
			n = parts[2]
		}
	}
	return nil, errors.New("Fn::If nested more than 64 deep")
}

// layerItems are a function's Layers, with Fn::If chosen for the list and
// for each item, and AWS::NoValue items removed.
func (t *Template) layerItems(n *yaml.Node) ([]*yaml.Node, error) {
	n, err := t.chosen(n)
	if err != nil || n == nil {
		return nil, err
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("it is %s, not a list", describe(n))
	}
	var out []*yaml.Node
	for _, item := range n.Content {
		c, err := t.chosen(item)
		if err != nil {
			return nil, err
		}
		if c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// sub substitutes ${Name} in a Fn::Sub string, with its own variables.
func (t *Template) sub(arg *yaml.Node) (string, bool, error) {
	s, vars := arg, (*yaml.Node)(nil)
	if arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 {
		s, vars = arg.Content[0], arg.Content[1]
	}
	text := scalar(s)
	var out strings.Builder
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			out.WriteString(text)
			return out.String(), true, nil
		}
		j := strings.Index(text[i:], "}")
		if j < 0 {
			return "", false, fmt.Errorf("Fn::Sub %q has an unclosed ${", scalar(s))
		}
		out.WriteString(text[:i])
		name := text[i+2 : i+j]
		text = text[i+j+1:]
		if strings.HasPrefix(name, "!") {
			out.WriteString("${" + name[1:] + "}")
			continue
		}
		if v := get(vars, name); v != nil {
			r, ok, err := t.resolve(v)
			if err != nil || !ok {
				return "", ok, err
			}
			if out.WriteString(r); out.Len() > MaxValue {
				return out.String(), true, nil // resolve refuses it
			}
			continue
		}
		r, ok, err := t.resolve(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "Ref"}, {Kind: yaml.ScalarNode, Value: name}}})
		if err != nil || !ok {
			return "", ok, err
		}
		out.WriteString(r)
	}
}

// intrinsic names the function n calls, in either form (!Ref X or
// {Ref: X}), and its argument; "" when it calls none.
func intrinsic(n *yaml.Node) (string, *yaml.Node) {
	if n = deref(n); n == nil {
		return "", nil
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name := n.Tag[1:]
		if name != "Ref" && name != "Condition" {
			name = "Fn::" + name
		}
		arg := *n
		arg.Tag = ""
		if arg.Kind == yaml.ScalarNode {
			arg.Tag = "!!str"
		}
		return name, &arg
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
			return k, n.Content[1]
		}
	}
	return "", nil
}

// refOf is the name n refers to, if n is a Ref.
func refOf(n *yaml.Node) (string, bool) {
	if fn, arg := intrinsic(n); fn == "Ref" {
		return scalar(arg), true
	}
	return "", false
}

// describe writes an expression as the template does, for messages.
func describe(n *yaml.Node) string {
	if fn, arg := intrinsic(n); fn != "" {
		short := "!" + strings.TrimPrefix(fn, "Fn::")
		if arg.Kind == yaml.ScalarNode {
			return short + " " + arg.Value
		}
		return short + " " + flatten(arg)
	}
	return flatten(n)
}

func orExpr(v string, n *yaml.Node) string {
	if v != "" {
		return v
	}
	return describe(n)
}

type pair struct {
	key   string
	value *yaml.Node
}

func pairs(n *yaml.Node) []pair {
	if n = deref(n); n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, pair{n.Content[i].Value, n.Content[i+1]})
	}
	return out
}

func get(n *yaml.Node, key string) *yaml.Node {
	for _, p := range pairs(n) {
		if p.key == key {
			return p.value
		}
	}
	return nil
}

func items(n *yaml.Node) []*yaml.Node {
	if n = deref(n); n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func first(n *yaml.Node) *yaml.Node {
	if n = deref(n); n != nil && n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
		return n.Content[0]
	}
	return n
}

func scalar(n *yaml.Node) string {
	if n = deref(n); n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// flatten writes a node as a flat string: a list as its items joined with
// commas, as CloudFormation gives a CommaDelimitedList.
func flatten(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value
	case yaml.SequenceNode:
		var parts []string
		for _, c := range n.Content {
			parts = append(parts, flatten(c))
		}
		return strings.Join(parts, ",")
	}
	b, _ := yaml.Marshal(n)
	return strings.TrimSpace(string(b))
}
