// Package samtemplate reads the functions of an AWS SAM template as `sam
// local invoke` does: Runtime, Handler, CodeUri, Architectures, Timeout,
// Layers and Environment.Variables, with the template's Globals, and the
// intrinsic functions that can be resolved without a deployment: Ref to a
// parameter (its default, or an override) or a pseudo parameter, Fn::Sub,
// Fn::Join, Fn::Select, Fn::If with the template's Conditions. A variable
// that names the template's own user pool or app client is reported as a
// LocalRef, for a local run to give its own. Anything else (Fn::GetAtt, Ref
// to another resource, Fn::ImportValue) is reported as unresolved, by name,
// for the caller to supply.
package samtemplate

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// Function is one AWS::Serverless::Function, resolved.
type Function struct {
	LogicalID string
	Runtime   string
	Handler   string
	// CodeURI is the code's path, relative to the template's directory
	// resolved to an absolute one: a directory or a .zip file.
	CodeURI string
	// Architecture is x86_64 or arm64 (Lambda's default is x86_64).
	Architecture string
	// Timeout is the function's timeout (Lambda's default is 3 s).
	Timeout time.Duration
	// MemoryMB is the function's memory size (Lambda's default is 128).
	MemoryMB int
	// TmpMB is EphemeralStorage.Size, /tmp's size (Lambda's default is
	// 512).
	TmpMB int
	// Layers are the layers' local directories or zips, in order.
	Layers []string
	// Env is Environment.Variables, Globals' and the function's own.
	Env map[string]string
	// Unresolved names each variable, or property, whose value needs a
	// deployment, with the expression: {"USER_POOL_ID": "!Ref Table"}.
	Unresolved map[string]string
	// Local names each variable whose value is the template's own user pool
	// or app client, which a local run stands in for: {"USER_POOL_ID":
	// {"!Ref UserPool", PoolID}}. Such a variable is neither in Env nor in
	// Unresolved.
	Local map[string]LocalRef
}

// Template is a parsed template.
type Template struct {
	dir        string
	root       *yaml.Node
	params     map[string]string
	conditions map[string]*yaml.Node
	resources  map[string]*yaml.Node
	// decided holds each condition's value once evaluated: CloudFormation
	// evaluates each condition once, and a chain of conditions that each
	// name the one before twice would otherwise take time exponential in
	// its length (a red team's 1 KB template ran for hours).
	decided map[string]decision
	// steps and depth count the evaluation (enter): YAML aliases multiply
	// a value's steps, and a Mappings value may name itself.
	steps, depth int
}

// decision is a condition's value, and whether it could be known without a
// deployment.
type decision struct{ value, ok bool }

// Read parses the template at path; overrides set parameters, as sam's
// --parameter-overrides does.
func Read(path string, overrides map[string]string) (*Template, error) {
	b, err := bounded.ReadFile(path, bounded.Template, "the most CloudFormation takes for a template, 1 MB from S3 (51 200 bytes passed directly; docs/cognito-rules.md §17); a template this large is not one CloudFormation deploys")
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s is not YAML: %w", path, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s is not a template: its top level is not a mapping", path)
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	t := &Template{dir: abs, root: doc.Content[0], params: map[string]string{}, conditions: map[string]*yaml.Node{}, resources: map[string]*yaml.Node{}}
	for _, p := range pairs(get(t.root, "Parameters")) {
		if d := get(p.value, "Default"); d != nil {
			t.params[p.key] = flatten(d)
		} else {
			t.params[p.key] = ""
		}
	}
	for k, v := range overrides {
		if _, ok := t.params[k]; !ok {
			return nil, fmt.Errorf("%s has no parameter %q to override; its parameters are %s", path, k, strings.Join(slices.Sorted(maps.Keys(t.params)), ", "))
		}
		t.params[k] = v
	}
	for _, c := range pairs(get(t.root, "Conditions")) {
		t.conditions[c.key] = c.value
	}
	for _, r := range pairs(get(t.root, "Resources")) {
		if !logicalID.MatchString(r.key) {
			return nil, fmt.Errorf("%s: the resource %q has a logical ID CloudFormation refuses: it must be letters and digits (A-Za-z0-9) alone", path, r.key)
		}
		t.resources[r.key] = r.value
	}
	if c := t.conditionCycle(); c != nil {
		return nil, cycleError(path, c)
	}
	return t, nil
}

// Functions lists the template's functions, in name order.
func (t *Template) Functions() []string {
	var ids []string
	for id, r := range t.resources {
		if typ := scalar(get(r, "Type")); typ == "AWS::Serverless::Function" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// logicalID is what CloudFormation takes as a resource's logical ID
// ("Resources", AWS CloudFormation User Guide): letters and digits alone,
// so that no name of one can carry a line of its own into the output.
var logicalID = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// noFunction says why a template without an AWS::Serverless::Function
// gives none, and what to do.
func (t *Template) noFunction() string {
	for _, r := range t.resources {
		if scalar(get(r, "Type")) == "AWS::Lambda::Function" {
			return "the template has no AWS::Serverless::Function; its AWS::Lambda::Function is not read (its Code is in S3, inline, or a path only `aws cloudformation package` resolves): give the function with --runtime, --code and --handler"
		}
	}
	return "the template has no AWS::Serverless::Function"
}

// Function resolves one function; id may be empty when the template has
// exactly one.
func (t *Template) Function(id string) (Function, error) {
	id, err := t.pick(id)
	if err != nil {
		return Function{}, err
	}
	f := Function{LogicalID: id, Architecture: "x86_64", Timeout: 3 * time.Second, MemoryMB: 128, Env: map[string]string{}, Unresolved: map[string]string{}, Local: map[string]LocalRef{}}
	src := source{t: t, id: id, props: get(t.resources[id], "Properties"), globals: get(get(t.root, "Globals"), "Function")}
	for _, step := range []func(*Function) error{src.handler, src.code, src.sizes, src.layers, src.environment} {
		if err := step(&f); err != nil {
			return f, err
		}
	}
	return f, nil
}

// pick is the function id names, or the template's one function.
func (t *Template) pick(id string) (string, error) {
	ids := t.Functions()
	switch {
	case id == "" && len(ids) == 1:
		return ids[0], nil
	case id == "" && len(ids) == 0:
		return "", errors.New(t.noFunction())
	case id == "":
		return "", fmt.Errorf("the template has %d functions (%s): name one with --function", len(ids), strings.Join(ids, ", "))
	case !slices.Contains(ids, id):
		return "", fmt.Errorf("the template has no AWS::Serverless::Function %q; it has %s", id, strings.Join(ids, ", "))
	}
	return id, nil
}

// source is one function's properties, with the template's Globals behind
// them, as SAM merges them.
type source struct {
	t              *Template
	id             string
	props, globals *yaml.Node
}

func (s source) prop(name string) *yaml.Node {
	if v := get(s.props, name); v != nil {
		return v
	}
	return get(s.globals, name)
}

// str is a property's value, or "" when it is not set; a value only a
// deployment has is an error.
func (s source) str(name string) (string, error) {
	n := s.prop(name)
	if n == nil {
		return "", nil
	}
	v, ok, err := s.t.resolve(n)
	if err != nil {
		return "", fmt.Errorf("%s.%s: %w", s.id, name, err)
	}
	if !ok {
		return "", fmt.Errorf("%s.%s is %s, which has no value before a deployment: give the value on the command line instead", s.id, name, describe(n))
	}
	return v, nil
}

func (s source) handler(f *Function) (err error) {
	if f.Runtime, err = s.str("Runtime"); err != nil {
		return err
	}
	if f.Handler, err = s.str("Handler"); err != nil {
		return err
	}
	if pt, _ := s.str("PackageType"); pt == "Image" {
		return fmt.Errorf("%s is a container image function; local runs zip functions only", s.id)
	}
	return nil
}

// code finds CodeUri on this machine.
func (s source) code(f *Function) (err error) {
	code := s.prop("CodeUri")
	switch {
	case code == nil:
		return fmt.Errorf("%s has no CodeUri", s.id)
	case code.Kind == yaml.MappingNode && get(code, "Bucket") != nil:
		return fmt.Errorf("%s.CodeUri is in S3; local needs the code on this machine: give --code", s.id)
	}
	uri, err := s.str("CodeUri")
	if err != nil {
		return err
	}
	if strings.HasPrefix(uri, "s3://") {
		return fmt.Errorf("%s.CodeUri is %s, in S3; local needs the code on this machine: give --code", s.id, uri)
	}
	f.CodeURI, err = s.t.local(s.id+".CodeUri", uri)
	return err
}

// sizes reads the architecture, timeout, memory and /tmp, within Lambda's
// limits.
func (s source) sizes(f *Function) (err error) {
	if a := s.prop("Architectures"); a != nil {
		arch, ok, err := s.t.resolve(first(a))
		if err != nil || !ok {
			return fmt.Errorf("%s.Architectures cannot be resolved: %s", s.id, unresolved(err))
		}
		f.Architecture = arch
	}
	if f.Architecture != "x86_64" && f.Architecture != "arm64" {
		return fmt.Errorf("%s.Architectures is %q; Lambda takes x86_64 or arm64", s.id, f.Architecture)
	}
	if v, err := s.number("Timeout", 1, 900, "whole seconds from 1 to 900"); err != nil {
		return err
	} else if v > 0 {
		f.Timeout = time.Duration(v) * time.Second
	}
	if v, err := s.number("MemorySize", 128, 10240, "whole megabytes from 128 to 10240"); err != nil {
		return err
	} else if v > 0 {
		f.MemoryMB = v
	}
	f.TmpMB, err = s.t.ephemeral(s.id, s.prop("EphemeralStorage"))
	return err
}

// number is a whole-number property from lo to hi, or 0 when it is not set.
func (s source) number(name string, lo, hi int, what string) (int, error) {
	v, err := s.str(name)
	if err != nil || v == "" {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s.%s is %q; Lambda takes %s", s.id, name, v, what)
	}
	return n, nil
}

func (s source) layers(f *Function) error {
	layers, err := s.t.layerItems(s.prop("Layers"))
	if err != nil {
		return fmt.Errorf("%s.Layers: %w", s.id, err)
	}
	for _, l := range layers {
		dir, err := s.t.layer(l)
		if err != nil {
			return fmt.Errorf("%s.Layers: %w", s.id, err)
		}
		f.Layers = append(f.Layers, dir)
	}
	return nil
}

// environment reads Environment.Variables, the function's over the
// Globals'.
func (s source) environment(f *Function) error {
	pool := s.t.ownPool(s.id)
	for _, vars := range []*yaml.Node{get(get(s.globals, "Environment"), "Variables"), get(get(s.props, "Environment"), "Variables")} {
		for _, p := range pairs(vars) {
			delete(f.Env, p.key)
			delete(f.Unresolved, p.key)
			delete(f.Local, p.key)
			value, err := s.t.chosen(p.value)
			switch {
			case err != nil:
				value = p.value // a condition only a deployment decides: said below
			case value == nil:
				continue // AWS::NoValue: CloudFormation removes the variable (red team round 26)
			}
			if ref, ok := s.t.localRef(value, pool); ok {
				f.Local[p.key] = ref
				continue
			}
			v, ok, err := s.t.resolve(value)
			switch {
			case err != nil:
				return fmt.Errorf("%s Environment.Variables.%s: %w", s.id, p.key, err)
			case !ok:
				f.Unresolved[p.key] = describe(p.value)
			default:
				f.Env[p.key] = v
			}
		}
	}
	return nil
}

// layer finds a layer's local content: a Ref to an
// AWS::Serverless::LayerVersion or AWS::Lambda::LayerVersion of this
// template whose content is on this machine.
func (t *Template) layer(n *yaml.Node) (string, error) {
	ref, isRef := refOf(n)
	if !isRef {
		v, _, _ := t.resolve(n)
		return "", fmt.Errorf("%s is a published layer, which local cannot fetch: lay it out in a directory and give --layer DIR", orExpr(v, n))
	}
	r, ok := t.resources[ref]
	if !ok {
		return "", fmt.Errorf("!Ref %s names no layer of this template", ref)
	}
	props := get(r, "Properties")
	switch scalar(get(r, "Type")) {
	case "AWS::Serverless::LayerVersion":
		uri, ok, err := t.resolve(get(props, "ContentUri"))
		if err != nil || !ok || strings.HasPrefix(uri, "s3://") || uri == "" {
			return "", fmt.Errorf("the layer %s has no ContentUri on this machine: give --layer DIR", ref)
		}
		return t.local("the layer "+ref+"'s ContentUri", uri)
	case "AWS::Lambda::LayerVersion":
		return "", fmt.Errorf("the layer %s keeps its content in S3: give --layer DIR", ref)
	}
	return "", fmt.Errorf("!Ref %s is not a layer", ref)
}

func (t *Template) path(uri string) string {
	if filepath.IsAbs(uri) {
		return uri
	}
	return filepath.Join(t.dir, uri)
}

// local is uri as a path on this machine, refused when it leads out of the
// template's repository (the nearest directory above the template that
// holds .git, or else the template's own directory), links followed: the
// template is the repository's content, which a pull request changes, and
// its code is shown to the function, so it must not name the host's files.
// --code and --layer, which the caller gives, are not bounded so.
func (t *Template) local(what, uri string) (string, error) {
	p := t.path(uri)
	root := repoRoot(t.dir)
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return p, nil // what is missing is said where it is used
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%s %s is %s, outside the template's repository %s: a template must not show the function this machine's files; move the code into the repository, or name it with --runtime, --code and --handler (and --layer) instead of --template", what, uri, real, root)
	}
	return p, nil
}

// repoRoot is the nearest directory at or above dir that holds .git, or
// dir itself, links followed.
func repoRoot(dir string) string {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		real = dir
	}
	for d := real; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if d == filepath.Dir(d) {
			return real
		}
	}
}

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
	case "Fn::Select":
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

// condition evaluates a named condition.
func (t *Template) condition(name string) (bool, bool, error) {
	if d, ok := t.decided[name]; ok {
		return d.value, d.ok, nil
	}
	n, ok := t.conditions[name]
	if !ok {
		return false, false, fmt.Errorf("no condition %q", name)
	}
	value, known, err := t.boolean(n)
	if err == nil {
		if t.decided == nil {
			t.decided = map[string]decision{}
		}
		t.decided[name] = decision{value, known}
	}
	return value, known, err
}

func (t *Template) boolean(n *yaml.Node) (bool, bool, error) {
	fn, arg := intrinsic(n)
	switch fn {
	case "Condition":
		return t.condition(scalar(arg))
	case "Fn::Equals":
		parts := items(arg)
		if len(parts) != 2 {
			return false, false, errors.New("Fn::Equals takes two values")
		}
		a, ok1, err1 := t.resolve(parts[0])
		b, ok2, err2 := t.resolve(parts[1])
		if err := errors.Join(err1, err2); err != nil || !ok1 || !ok2 {
			return false, ok1 && ok2, err
		}
		return a == b, true, nil
	case "Fn::Not":
		v, ok, err := t.boolean(first(arg))
		return !v, ok, err
	case "Fn::And", "Fn::Or":
		all := fn == "Fn::And"
		for _, p := range items(arg) {
			v, ok, err := t.boolean(p)
			if err != nil || !ok {
				return false, ok, err
			}
			if v != all {
				return v, true, nil
			}
		}
		return all, true, nil
	}
	return false, false, fmt.Errorf("%s is not a condition", describe(n))
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

// ephemeral is EphemeralStorage.Size, /tmp's size in MB: Lambda's default,
// 512, where the function gives none.
func (t *Template) ephemeral(id string, n *yaml.Node) (int, error) {
	if n == nil {
		return 512, nil
	}
	size := get(n, "Size")
	if size == nil {
		return 0, fmt.Errorf("%s.EphemeralStorage has no Size", id)
	}
	v, ok, err := t.resolve(size)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s.EphemeralStorage.Size: %w", id, err)
	case !ok:
		return 0, fmt.Errorf("%s.EphemeralStorage.Size is %s, which has no value before a deployment: give --ephemeral-storage instead", id, describe(size))
	}
	mb, err := strconv.Atoi(v)
	if err != nil || mb < 512 || mb > 10240 {
		return 0, fmt.Errorf("%s.EphemeralStorage.Size is %q; Lambda takes whole megabytes from 512 to 10240", id, v)
	}
	return mb, nil
}
