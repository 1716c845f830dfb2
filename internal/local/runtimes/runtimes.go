// Package runtimes prepares what runs a Lambda handler on this machine: a
// bootstrap for the handler's runtime, and the pinned tools around it (AWS's
// Node.js runtime interface client, the Runtime Interface Emulator,
// cognito-local). What it cannot find it fetches once into a cache, showing
// progress; what it cannot fetch (node, python3, a compiler) it names, with
// the command that installs it.
package runtimes

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

//go:embed node/*/package.json node/*/package-lock.json node/preload/sdk-v2-endpoints.cjs node/rapid-client/index.js python/bootstrap.py
var files embed.FS

// Pinned versions.
const (
	// RICVersion is npm aws-lambda-ric's for nodejs20.x and nodejs22.x;
	// node/ric3/package-lock.json pins its dependencies, and the AWS SDK's
	// Cognito client. nodejs24.x runs 4.x (node/ric4), which needs Node 22.
	RICVersion = "3.3.0"
	// RIEModule and RIEVersion are the Runtime Interface Emulator the
	// module's go.mod pins as a tool (a test keeps them equal).
	RIEModule  = "github.com/aws/aws-lambda-runtime-interface-emulator"
	RIEVersion = "v0.0.0-20261030222936-bef5c4ba774d"
)

// Kind is a family of Lambda runtimes.
type Kind string

// The runtimes local runs.
const (
	Provided Kind = "provided"
	Node     Kind = "nodejs"
	Python   Kind = "python"
)

// Runtime is a Lambda runtime identifier, such as nodejs20.x.
type Runtime struct {
	Name string
	Kind Kind
	// Major is the language's major version (20 for nodejs20.x, 3 for
	// python3.12); Minor is Python's minor version.
	Major, Minor int
}

var runtimeName = regexp.MustCompile(`^(?:(provided)\.(?:al2023|al2)|(nodejs)(\d+)\.x|(python)3\.(\d+))$`)

// ParseRuntime reads Lambda's identifier for a runtime.
func ParseRuntime(name string) (Runtime, error) {
	m := runtimeName.FindStringSubmatch(name)
	switch {
	case m == nil:
		return Runtime{}, fmt.Errorf("--runtime %q is not one this command runs; use Lambda's identifiers: provided.al2023 or provided.al2 (an executable bootstrap: Go, Rust, anything), nodejs20.x or newer, python3.9 or newer", name)
	case m[1] != "":
		return Runtime{Name: name, Kind: Provided}, nil
	case m[2] != "":
		major, _ := strconv.Atoi(m[3])
		if major < 20 {
			return Runtime{}, fmt.Errorf("--runtime %s: Node.js runtimes before nodejs20.x are deprecated by Lambda, and aws-lambda-ric %s needs Node 20", name, RICVersion)
		}
		return Runtime{Name: name, Kind: Node, Major: major}, nil
	}
	minor, _ := strconv.Atoi(m[5])
	if minor < 9 {
		return Runtime{}, fmt.Errorf("--runtime %s: Lambda runs python3.9 and newer", name)
	}
	return Runtime{Name: name, Kind: Python, Major: 3, Minor: minor}, nil
}

// DefaultHandler is the handler Lambda's console starts a function with.
func (r Runtime) DefaultHandler() string {
	switch r.Kind {
	case Node:
		return "index.handler"
	case Python:
		return "lambda_function.lambda_handler"
	}
	return ""
}

// Cache is where fetched tools live, one directory per pinned version.
type Cache struct {
	Dir string
	// Progress receives what is being fetched, and the tools' own output.
	Progress io.Writer
	// Sandboxed lays the function out for a sandbox shaped like Lambda's:
	// the paths it names are Lambda's, and Function.Mounts binds them.
	Sandboxed bool
	// Sandbox, when set, is where the tools that read the code (esbuild)
	// run: they see the code and nothing else of this machine's files.
	Sandbox *sandbox.Sandbox
}

// DefaultCacheDir is $AUTOCONFIRM_CACHE, or autoconfirm in the user's cache
// directory.
func DefaultCacheDir(getenv func(string) string) (string, error) {
	if d := getenv("AUTOCONFIRM_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory (%w); set AUTOCONFIRM_CACHE", err)
	}
	return filepath.Join(d, "autoconfirm"), nil
}

// Concurrent returns c with its Progress safe to write to from fetches
// that run at the same time, each of which writes whole lines.
func (c Cache) Concurrent() Cache {
	if _, ok := c.Progress.(lockedWriter); c.Progress != nil && !ok {
		c.Progress = lockedWriter{mu: &sync.Mutex{}, w: c.Progress}
	}
	return c
}

// lockedWriter serializes the writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (c Cache) say(format string, a ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, "local: "+format+"\n", a...)
	}
}

// Function is a handler laid out to run as Lambda runs it.
type Function struct {
	// Bootstrap is the executable the emulator starts.
	Bootstrap string
	// Env is what Lambda sets for this runtime and handler.
	Env []string
	// Interpreter names what runs the handler, for the report.
	Interpreter string
	// Differences are the ways this function's runtime differs from
	// Lambda's here (an interpreter that stands in, an SDK that is older or
	// missing); every report says each of them.
	Differences []string
	// Mounts are what a sandbox binds read-only for the function, in
	// order; empty unless the cache is Sandboxed. Bootstrap and Env then
	// name paths in the sandbox.
	Mounts []sandbox.Mount
}

// Prepare lays out, in dir, what Lambda's runtime would run for the handler
// in code, with its layers (directories or zips, in order) where the
// runtime looks for them.
func (c Cache) Prepare(ctx context.Context, rt Runtime, code, handler, dir string, layers ...string) (Function, error) {
	f, err := c.prepareLayers(ctx, rt, code, handler, dir, layers)
	if err != nil || !c.Sandboxed {
		return f, err
	}
	return hideGit(f, dir)
}

func (c Cache) prepareLayers(ctx context.Context, rt Runtime, code, handler, dir string, layers []string) (Function, error) {
	f, err := c.prepare(ctx, rt, code, handler, dir, len(layers) > 0)
	if err != nil || len(layers) == 0 {
		return f, err
	}
	var budget codezip.Budget // the code's, then the layers'
	if err := codezip.Count(code, &budget); err != nil {
		return f, err
	}
	opt, err := Layers(dir, &budget, layers)
	if err != nil {
		return f, err
	}
	if err := checkGlibcTree(rt.Name, opt); err != nil {
		return f, fmt.Errorf("a layer's %w", err)
	}
	seen := opt
	if c.Sandboxed {
		seen = sandbox.Opt
		f.Mounts = append(f.Mounts, sandbox.Mount{Host: opt, At: seen})
	}
	if f.Bootstrap == "" { // a custom runtime from a layer, as Lambda runs /opt/bootstrap
		if st, err := os.Stat(filepath.Join(opt, "bootstrap")); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return f, fmt.Errorf("--runtime %s needs an executable file named bootstrap in the code %s or in a layer, as Lambda does (%v); build it for linux/%s and chmod +x it", rt.Name, code, statError(err), goarch())
		}
		f.Bootstrap = filepath.Join(seen, "bootstrap")
	}
	env := layerEnv(rt, seen)
	var kept []string
	for _, e := range f.Env { // the runtime's own PYTHONPATH (its SDK) comes after the layers
		if task, ok := strings.CutPrefix(e, "LAMBDA_TASK_ROOT="); ok {
			env = append(env, libraryPath(task, seen))
		}
		sdk, ok := strings.CutPrefix(e, "PYTHONPATH=")
		if !ok && !strings.HasPrefix(e, "LD_LIBRARY_PATH=") {
			kept = append(kept, e)
			continue
		}
		if !ok {
			continue
		}
		for i := range env {
			if strings.HasPrefix(env[i], "PYTHONPATH=") {
				env[i] += ":" + sdk
			}
		}
	}
	f.Env = append(kept, env...)
	if !c.Sandboxed {
		f.Differences = append(f.Differences, layerDifference(opt))
	}
	f.Interpreter += fmt.Sprintf("; %d layer(s)", len(layers))
	return f, nil
}

// layered says that the function has layers, in which a custom runtime's
// bootstrap may be.
func (c Cache) prepare(ctx context.Context, rt Runtime, code, handler, dir string, layered bool) (Function, error) {
	code, err := filepath.Abs(code)
	if err != nil {
		return Function{}, err
	}
	if st, err := os.Stat(code); err != nil || !st.IsDir() {
		why := "it is a file"
		if err != nil {
			why = err.Error()
		}
		return Function{}, fmt.Errorf("--code %s: not a directory (%s); give the directory that holds the function's code, as Lambda unpacks it", code, why)
	}
	if err := checkGlibcTree(rt.Name, code); err != nil {
		return Function{}, fmt.Errorf("--code %s: %w", code, err)
	}
	switch rt.Kind {
	case Provided:
		b := filepath.Join(code, "bootstrap")
		st, err := os.Stat(b)
		missing := err != nil || st.IsDir() || st.Mode()&0o111 == 0
		if missing && !layered {
			return Function{}, fmt.Errorf("--runtime %s needs an executable file named bootstrap in %s, as Lambda does (%v); build it for linux/%s and chmod +x it", rt.Name, code, statError(err), goarch())
		}
		l := c.layout(dir)
		task, err := l.task(code)
		if err != nil {
			return Function{}, err
		}
		boot := filepath.Join(task, "bootstrap")
		if missing { // a layer's, once the layers are laid out
			boot = ""
		}
		return Function{Bootstrap: boot, Env: lambdaEnv(rt, handler, task), Interpreter: "the bootstrap itself", Mounts: l.mounts,
			// Amazon Linux's OS-only image has no interpreter for a script
			// to start (red team round 19).
			Differences: []string{"this machine's /usr (Debian's python3, perl and other tools) stands in for " + rt.Name + "'s minimal Amazon Linux: a bootstrap that starts one of them runs here and fails on Lambda"}}, nil
	case Node:
		return c.prepareNode(ctx, rt, code, handler, dir)
	case Python:
		return c.preparePython(ctx, rt, code, handler, dir)
	}
	return Function{}, fmt.Errorf("runtime %s: unknown kind %q", rt.Name, rt.Kind)
}

// lambdaEnv is what Lambda sets that depends on the runtime and the handler.
// The stack adds the rest (region, credentials, the function's name).
func lambdaEnv(rt Runtime, handler, task string) []string {
	env := []string{"_HANDLER=" + handler, "LAMBDA_TASK_ROOT=" + task, "LAMBDA_RUNTIME_DIR=/var/runtime", libraryPath(task, sandbox.Opt)}
	if rt.Kind != Provided { // the OS-only runtimes set no AWS_EXECUTION_ENV
		env = append(env, "AWS_EXECUTION_ENV=AWS_Lambda_"+rt.Name)
	}
	return env
}

// libraryPath is Lambda's LD_LIBRARY_PATH, with the code at task and the
// layers at opt: a package's own lib/ and a layer's are found, as on
// Lambda (rules §18; red team round 17).
func libraryPath(task, opt string) string {
	return "LD_LIBRARY_PATH=" + strings.Join([]string{"/var/lang/lib", "/lib64", "/usr/lib64", "/var/runtime", "/var/runtime/lib",
		task, filepath.Join(task, "lib"), filepath.Join(opt, "lib")}, ":")
}

func statError(err error) error {
	if err == nil {
		return errors.New("it is not an executable file")
	}
	return err
}

// checkHandler refuses a handler name the bootstrap script cannot quote.
func checkHandler(handler string) error {
	if handler == "" || strings.ContainsAny(handler, "'\n") {
		return fmt.Errorf("--handler %q is not a handler name such as index.handler", handler)
	}
	// Lambda reads the module part as a path in the code: never from
	// outside it.
	module := handler[:max(0, strings.LastIndex(handler, "."))]
	if strings.HasPrefix(module, "/") || slices.Contains(strings.Split(module, "/"), "..") {
		return fmt.Errorf("--handler %q names a module outside the code; Lambda looks for it in the code directory: give a path inside it, such as src/index.handler", handler)
	}
	return nil
}

// checkNodeHandler is checkHandler, but for a module in a layer named by
// its absolute path, /opt/…, which Lambda's Node.js runtime resolves as it
// stands (a tracing layer's wrapper, such as Datadog's, is named so): a
// sandbox holds the layers at /opt, and this machine's /opt is not there
// (red team round 19).
func checkNodeHandler(handler string, sandboxed bool) error {
	module := handler[:max(0, strings.LastIndex(handler, "."))]
	if sandboxed && strings.HasPrefix(module, sandbox.Opt+"/") && path.Clean(module) == module && !strings.ContainsAny(handler, "'\n") {
		return nil
	}
	return checkHandler(handler)
}

// writeBootstrap writes the executable the emulator runs.
func writeBootstrap(dir, script string) (string, error) {
	path := filepath.Join(dir, "bootstrap")
	return path, os.WriteFile(path, []byte(script), 0o755)
}

// execWrapper runs the runtime through the function's wrapper script, as
// Lambda's managed runtimes do: AWS_LAMBDA_EXEC_WRAPPER names it, it gets
// the interpreter and its arguments, and one that is missing or not
// executable fails the runtime's start (rules §18). Custom runtimes
// (provided.*) have no wrapper. Its last line begins the exec.
const execWrapper = `wrapper="${AWS_LAMBDA_EXEC_WRAPPER:-}"
if [ -n "$wrapper" ] && [ ! -f "$wrapper" ]; then echo "$wrapper: does not exist" >&2; exit 127; fi
if [ -n "$wrapper" ] && [ ! -x "$wrapper" ]; then echo "$wrapper: is not an executable" >&2; exit 126; fi
exec ${wrapper:+"$wrapper"} `

// quote escapes a path for a single-quoted shell word.
func quote(s string) string { return strings.ReplaceAll(s, "'", `'\''`) }

// need finds a program on PATH, or says how to install it.
func need(name, how string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not on PATH: %s", name, how)
	}
	return p, nil
}
