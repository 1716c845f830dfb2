package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/poolshape"
	"github.com/autoconfirm/autoconfirm/harness/samtemplate"
)

// localShape is the local pool's shape: under --template, the shape of the
// template's pool whose PreSignUp trigger is the function, else the
// default; the shape flags given override it.
func localShape(o localOptions, flags *poolshape.Flags, stdout io.Writer) (*poolshape.Shape, error) {
	base, from := poolshape.Default(), "the default"
	if o.template != "" {
		p, ok, err := templatePool(o)
		if err != nil {
			return nil, usageErrorf("--template %s: %v", o.template, err)
		}
		if ok {
			base = poolshape.Shape{UsernameAttributes: p.UsernameAttributes, AliasAttributes: p.AliasAttributes,
				Required: p.Required, AutoVerified: p.AutoVerified, WriteAttributes: p.WriteAttributes}
			from = o.template + "'s " + p.LogicalID
		} else {
			from = "the default: " + o.template + " declares no AWS::Cognito::UserPool"
		}
	}
	shape, err := flags.Over(base)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	if flags.Given() {
		from += ", as the flags change it"
	}
	fmt.Fprintf(stdout, "local: the pool's shape, from %s: %s\n", from, shape)
	return &shape, nil
}

// templatePool reads the template's pool whose trigger the function is.
func templatePool(o localOptions) (samtemplate.UserPool, bool, error) {
	overrides := map[string]string{}
	for _, kv := range strings.FieldsFunc(o.overrides, func(r rune) bool { return r == ' ' || r == ',' }) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			overrides[strings.TrimPrefix(k, "ParameterKey=")] = v
		}
	}
	t, err := samtemplate.Read(o.template, overrides)
	if err != nil {
		return samtemplate.UserPool{}, false, err
	}
	f, err := t.Function(o.function)
	if err != nil {
		return samtemplate.UserPool{}, false, err
	}
	return t.UserPool(f.LogicalID)
}
