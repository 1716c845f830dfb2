package samtemplate

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

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
