package main

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	goruntime "runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
	"github.com/autoconfirm/autoconfirm/harness/samtemplate"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// fromTemplate fills the local options from a SAM template, where the
// command line did not set them, as sam local invoke reads a function. A
// zip CodeUri is unpacked into a temporary directory, which cleanup
// removes. A function for another architecture than this machine's, and an
// environment variable that needs a deployment and was not given with
// --env, are usage errors.
func fromTemplate(o *localOptions, fs *flag.FlagSet, stdout io.Writer) (cleanup func(), err error) {
	cleanup = func() {}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	f, err := templateFunction(o)
	if err != nil {
		return cleanup, err
	}
	if !set["runtime"] {
		o.runtime = f.Runtime
	}
	if !set["handler"] {
		o.handler = f.Handler
	}
	if !set["memory"] {
		o.memory = f.MemoryMB
	}
	if !set["timeout"] {
		o.timeout = f.Timeout
	}
	if !set["ephemeral-storage"] {
		o.tmp = f.TmpMB
	}
	// The template's layers come first, in its order; --layer adds more.
	o.layers = append(append(multiFlag{}, f.Layers...), o.layers...)
	if err := templateEnv(o, f, stdout); err != nil {
		return cleanup, err
	}
	if !set["code"] {
		if cleanup, err = templateCode(o, f); err != nil {
			return cleanup, err
		}
	}
	fmt.Fprintf(stdout, "local: %s from %s: %s, handler %s, code %s, %s, timeout %s, memory %d MB, /tmp %d MB, %d environment variable(s), %d layer(s)\n",
		f.LogicalID, o.template, o.runtime, o.handler, f.CodeURI, f.Architecture, o.timeout.Round(time.Second), o.memory, o.tmp, len(f.Env), len(f.Layers))
	return cleanup, nil
}

// templateFunction reads the function --template and --function name,
// with --parameter-overrides, built for this machine's architecture.
func templateFunction(o *localOptions) (samtemplate.Function, error) {
	overrides := map[string]string{}
	for _, kv := range strings.FieldsFunc(o.overrides, func(r rune) bool { return r == ' ' || r == ',' }) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return samtemplate.Function{}, usageErrorf("--parameter-overrides: %q is not Name=Value", kv)
		}
		overrides[strings.TrimPrefix(k, "ParameterKey=")] = v
	}
	t, err := samtemplate.Read(o.template, overrides)
	if err != nil {
		return samtemplate.Function{}, usageErrorf("--template: %v", err)
	}
	f, err := t.Function(o.function)
	if err != nil {
		return f, usageErrorf("--template %s: %v", o.template, err)
	}
	host := map[string]string{"amd64": "x86_64", "arm64": "arm64"}[goruntime.GOARCH]
	if f.Architecture != host {
		return f, usageErrorf("--template %s: %s is built for %s, and this machine is %s: Lambda would run it on %s, and here it cannot start. Judge it on an %s machine, or build and deploy it for %s (e.g. --parameter-overrides Architecture=%s, if the template takes one)",
			o.template, f.LogicalID, f.Architecture, host, f.Architecture, f.Architecture, host, host)
	}
	return f, nil
}

// templateEnv puts the template's variables before --env's, which override
// them; a variable that needs a deployment must be given with --env.
func templateEnv(o *localOptions, f samtemplate.Function, stdout io.Writer) error {
	given := map[string]bool{}
	for _, kv := range o.env {
		k, _, _ := strings.Cut(kv, "=")
		given[k] = true
	}
	var missing []string
	for k, expr := range f.Unresolved {
		if !given[k] {
			missing = append(missing, fmt.Sprintf("%s (%s)", k, expr))
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return usageErrorf("--template %s: %s's environment needs a deployment for %s: give each with --env NAME=VALUE", o.template, f.LogicalID, strings.Join(missing, ", "))
	}
	var env []string
	for _, k := range slices.Sorted(maps.Keys(f.Env)) {
		env = append(env, k+"="+f.Env[k])
	}
	env = append(env, localRefs(f, given, stdout)...)
	o.env = append(env, o.env...)
	return nil
}

// templateCode is the function's code: its CodeUri, a zip extracted as
// Lambda unpacks it into a directory the cleanup removes.
func templateCode(o *localOptions, f samtemplate.Function) (cleanup func(), err error) {
	cleanup = func() {}
	o.code = f.CodeURI
	if !strings.HasSuffix(strings.ToLower(f.CodeURI), ".zip") {
		return cleanup, nil
	}
	dir, err := os.MkdirTemp("", "autoconfirm-code-")
	if err != nil {
		return cleanup, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	if err := codezip.ExtractWithin(f.CodeURI, dir, sandbox.TaskRoot, &codezip.Budget{}); err != nil {
		return cleanup, usageErrorf("--template %s: %s's CodeUri %s: %v (build it first, e.g. make package)", o.template, f.LogicalID, f.CodeURI, err)
	}
	o.code = dir
	return cleanup, nil
}

// localRefs gives each variable that names the template's own pool or app
// client the local one's value, as an --env placeholder, and says so once.
// A variable given with --env keeps the value given.
func localRefs(f samtemplate.Function, given map[string]bool, stdout io.Writer) []string {
	var env, said []string
	what := map[string]string{samtemplate.PoolID: "the local pool's id", samtemplate.PoolARN: "its ARN",
		samtemplate.PoolProviderName: "its provider name", samtemplate.PoolProviderURL: "its provider URL", samtemplate.ClientID: "the local app client's id"}
	for _, k := range slices.Sorted(maps.Keys(f.Local)) {
		if given[k] {
			continue
		}
		ref := f.Local[k]
		env = append(env, k+"=@"+ref.Value)
		said = append(said, fmt.Sprintf("%s (%s) is %s", k, ref.Expr, what[ref.Value]))
	}
	if len(said) > 0 {
		fmt.Fprintf(stdout, "local: the template's own user pool is the local one: %s\n", strings.Join(said, ", "))
	}
	return env
}
