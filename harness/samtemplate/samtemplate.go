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
