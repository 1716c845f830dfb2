package runtimes

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
	"github.com/autoconfirm/autoconfirm/internal/local/hostenv"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
	"golang.org/x/sync/errgroup"
)

// nodeRuntime is what one nodejsN.x runtime pins.
type nodeRuntime struct {
	// bin and ric are directories under node/ holding a package.json and
	// package-lock.json: the Node.js binary, and aws-lambda-ric with the
	// AWS SDK's Cognito client.
	bin, ric string
	// entry is aws-lambda-ric's script, under its package.
	entry string
	// native is the directory, under the package, from which the ric's
	// JavaScript requires its native client, ./rapid-client.node.
	native string
	// flags are the ones Lambda starts Node with on this runtime (rules
	// §25).
	flags string
}

// nodeRuntimes are the Node.js runtimes local runs. aws-lambda-ric 4 refuses
// callback handlers with Lambda's own Runtime.CallbackHandlerDeprecated, as
// nodejs24.x does; on nodejs22.x it would refuse them too, which Lambda does
// only for Managed Instances, so 20 and 22 keep 3.3.0.
var nodeRuntimes = map[int]nodeRuntime{
	20: {bin: "node/node20", ric: "node/ric3", entry: "bin/index.mjs", native: "dist", flags: "--no-experimental-require-module"},
	22: {bin: "node/node22", ric: "node/ric3", entry: "bin/index.mjs", native: "dist", flags: "--no-experimental-require-module --no-experimental-detect-module"},
	24: {bin: "node/node24", ric: "node/ric4", entry: "index.mjs", native: "."},
}

// prepareNode lays out a Node.js handler as Lambda runs it: on the Node.js
// major its runtime names, with Lambda's flags, beside the runtime's modules.
func (c Cache) prepareNode(ctx context.Context, rt Runtime, code, handler, dir string) (Function, error) {
	nr, ok := nodeRuntimes[rt.Major]
	if !ok {
		return Function{}, fmt.Errorf("--runtime %s: local pins Node.js for nodejs20.x, nodejs22.x and nodejs24.x only", rt.Name)
	}
	if link, target, err := leadsOut(code); err != nil || link != "" {
		if err == nil {
			err = fmt.Errorf("%s links to %s, outside the code; a sandbox holds the code alone, and Lambda's package holds what the link leads to: copy it into the directory, or give the function as a zip (zip -r follows links)", link, target)
		}
		return Function{}, err
	}
	// Node.js and the runtime's modules are fetched side by side: on a
	// fresh machine, each takes seconds.
	c = c.Concurrent()
	var node, nodeDir, version, modules string
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { node, nodeDir, version, err = c.nodeBinary(gctx, rt.Major, nr.bin); return err })
	g.Go(func() (err error) { modules, err = c.nodeModules(gctx, nr); return err })
	if err := g.Wait(); err != nil {
		return Function{}, err
	}
	l := c.layout(dir)
	task, err := besideRuntime(code, dir, l)
	if err != nil {
		return Function{}, err
	}
	if err := checkNodeHandler(handler, c.Sandboxed); err != nil {
		return Function{}, err
	}
	// The code, not the copy: in a sandbox the copy's node_modules are
	// empty mount points.
	if _, err := c.provideModules(ctx, code, dir, modules, nodeDir); err != nil {
		return Function{}, err
	}
	bundled, err := c.bundleTypeScript(ctx, l, task, code, handler, rt.Major)
	if err != nil {
		return Function{}, err
	}
	b, err := c.nodeBootstrap(l, nr, node, modules, handler)
	if err != nil {
		return Function{}, err
	}
	// In a sandbox, node_modules above /var/task is where import finds
	// the runtime's modules, as above the copy here; the pinned tools
	// they link to are seen at their own paths.
	l.bind(filepath.Join(dir, "node_modules"), "/var/node_modules")
	for _, p := range []string{filepath.Dir(filepath.Dir(nodeDir)), filepath.Dir(modules), filepath.Join(c.Dir, "aws-sdk-"+SDKVersion)} {
		l.share(p)
	}
	task = l.bind(task, sandbox.TaskRoot)   // node_modules are bound inside it, after it
	l.mounts = append(l.mounts, l.later...) // inside /var/task, so after it
	f := Function{Bootstrap: b, Env: lambdaEnv(rt, handler, task), Mounts: l.mounts,
		Interpreter: fmt.Sprintf("Node.js %s (npm %s), flags %q", version, nodePackage(), nr.flags)}
	if bundled != "" {
		f.Interpreter += fmt.Sprintf("; %s bundled with esbuild %s as CDK's NodejsFunction does", bundled, ESBuildVersion)
	}
	return f, nil
}

// nodePackage is the npm package that carries Node.js for this machine.
func nodePackage() string {
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	return "node-" + runtime.GOOS + "-" + arch
}

// nodeBinary installs the pinned Node.js for major from the npm registry
// into the cache, once, and returns node's path, the package directory
// (whose bin/ npm's install scripts of extra SDK packages run with) and
// the version.
func (c Cache) nodeBinary(ctx context.Context, major int, lockDir string) (node, dir, version string, err error) {
	if _, err := need("npm", "npm fetches Node.js and AWS's runtime interface client: on Debian or Ubuntu, `apt-get install nodejs npm`"); err != nil {
		return "", "", "", err
	}
	cache := filepath.Join(c.Dir, fmt.Sprintf("node%d-%s", major, lockHash(lockDir)))
	dir = filepath.Join(cache, "node_modules", nodePackage())
	node = filepath.Join(dir, "bin", "node")
	if _, err := os.Stat(node); err != nil {
		if err := c.npmCIFrom(ctx, cache, files, lockDir, fmt.Sprintf("Node.js %d for this machine (npm %s)", major, nodePackage()), nil); err != nil {
			return "", "", "", err
		}
	}
	if _, err := os.Stat(node); err != nil {
		return "", "", "", fmt.Errorf("npm %s installed no Node.js binary for %s/%s (%v); local runs Node.js handlers on linux amd64 and arm64", nodePackage(), runtime.GOOS, runtime.GOARCH, err)
	}
	cmd := exec.CommandContext(ctx, node, "--version")
	cmd.Env = hostenv.Plain(os.Getenv, "") // no NODE_OPTIONS, no secret
	out, err := cmd.Output()
	if err != nil {
		return "", "", "", fmt.Errorf("the fetched Node.js %s does not run: %w", node, err)
	}
	return node, dir, strings.TrimSpace(string(out)), nil
}

// nodeModules returns the node_modules directory of what Lambda's Node.js
// runtimes provide (aws-lambda-ric, and the AWS SDK's Cognito client),
// installing the pinned versions into the cache on first use. npm runs no
// install script: aws-lambda-ric's would compile its native Runtime API
// client with a C++ toolchain for two minutes, so a client in JavaScript
// (node/rapid-client) takes its place, and the ric's own JavaScript loads
// the handler and reports its errors as on Lambda. The directory's name
// carries the hash of the lock and of that client.
func (c Cache) nodeModules(ctx context.Context, nr nodeRuntime) (string, error) {
	dir := filepath.Join(c.Dir, "node-runtime-"+lockHash(nr.ric, rapidClient))
	modules := filepath.Join(dir, "node_modules")
	client := filepath.Join(modules, "aws-lambda-ric", nr.native, "rapid-client.node")
	if _, err := os.Stat(filepath.Join(client, "index.js")); err == nil {
		return modules, nil
	}
	if _, err := os.Stat(modules); err != nil {
		if _, err := need("npm", "npm fetches AWS's runtime interface client (no compiler needed): on Debian or Ubuntu, `apt-get install nodejs npm`"); err != nil {
			return "", err
		}
		what := fmt.Sprintf("AWS's Node.js runtime interface client and the AWS SDK's Cognito client (%s; no native build, a few seconds, once)", nr.ric)
		if err := c.npmCIFrom(ctx, dir, files, nr.ric, what, []string{"npm_config_ignore_scripts=true"}); err != nil {
			return "", err
		}
	}
	if _, err := os.Stat(filepath.Join(modules, "aws-lambda-ric", nr.entry)); err != nil {
		return "", fmt.Errorf("npm installed no aws-lambda-ric script %s (%w): remove %s and run again", nr.entry, err, dir)
	}
	if err := installRapidClient(client); err != nil {
		return "", fmt.Errorf("putting the JavaScript Runtime API client in place of aws-lambda-ric's native one: %w (remove %s and run again)", err, dir)
	}
	return modules, nil
}

// rapidClient is the JavaScript stand-in for aws-lambda-ric's native
// rapid-client.node, with the same next, done and error.
const rapidClient = "node/rapid-client/index.js"

// installRapidClient makes dir a CommonJS package whose main is the client:
// require("./rapid-client.node") finds no such file and loads the
// directory's package, so the ric's own require needs no change. index.js
// comes last, renamed into place, as the mark that the install is whole.
func installRapidClient(dir string) error {
	js, err := files.ReadFile(rapidClient)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pkg := []byte(`{"name": "rapid-client-js", "private": true, "type": "commonjs", "main": "index.js"}` + "\n")
	if err := os.WriteFile(filepath.Join(dir, "package.json"), pkg, 0o644); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "index.js.partial")
	if err := os.WriteFile(tmp, js, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "index.js"))
}

// lockHash names a pinned set by its lock file, and any other embedded
// file it is installed with, so that a new pin installs afresh beside the
// old.
func lockHash(lockDir string, with ...string) string {
	h := sha256.New()
	for _, name := range append([]string{lockDir + "/package-lock.json"}, with...) {
		b, _ := fs.ReadFile(files, name)
		h.Write(b)
	}
	return fmt.Sprintf("%x", h.Sum(nil))[:12]
}

// besideRuntime copies the code into dir/task, below dir/node_modules (see
// provideModules), so that both require and import find the AWS SDK the way
// they do on Lambda, where the runtime provides it, and the code's own
// node_modules, linked into the copy, still comes first. In a sandbox the
// copy is seen at /var/task, and each node_modules is bound into it.
func besideRuntime(code, dir string, l *layout) (string, error) {
	task := filepath.Join(dir, "task")
	err := filepath.WalkDir(code, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(code, p)
		to := filepath.Join(task, rel)
		switch {
		case rel == ".git" && l.sandboxed: // left empty: see hideGit
			if d.IsDir() {
				return errSkip(os.MkdirAll(to, 0o755))
			}
			return os.WriteFile(to, nil, 0o644)
		case d.IsDir() && d.Name() == "node_modules" && rel != "." && l.sandboxed:
			l.later = append(l.later, sandbox.Mount{Host: p, At: path.Join(sandbox.TaskRoot, filepath.ToSlash(rel))})
			return errSkip(os.MkdirAll(to, 0o755))
		case d.IsDir() && d.Name() == "node_modules" && rel != ".":
			return errSkip(os.Symlink(p, to))
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			return codezip.CopyFile(p, to, info.Mode().Perm(), info.Size())
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("copying the code beside the runtime's modules: %w", err)
	}
	return task, nil
}

// errSkip is fs.SkipDir once err is nil.
func errSkip(err error) error {
	if err != nil {
		return err
	}
	return fs.SkipDir
}

// heapArgs sizes V8's heap to the memory size, as Lambda's Node.js
// bootstrap does (rules §18): a tenth for the young generation, half of
// that per semi-space, the rest for the old one. Without them V8 lets
// garbage grow past a small memory size before it collects (red team
// round 15).
const heapArgs = `case "$AWS_LAMBDA_FUNCTION_MEMORY_SIZE" in
''|*[!0-9]*) ;;
*) new_space=$((AWS_LAMBDA_FUNCTION_MEMORY_SIZE / 10))
   set -- --max-semi-space-size=$((new_space / 2)) --max-old-space-size=$((AWS_LAMBDA_FUNCTION_MEMORY_SIZE - new_space)) ;;
esac
`

// nodeBootstrap writes the start script and the preload. Lambda's flags,
// and the preload that points the SDK v2 at the local endpoints, come
// first in NODE_OPTIONS, so that the function's own NODE_OPTIONS can turn
// a feature back on, as Lambda documents.
func (c Cache) nodeBootstrap(l *layout, nr nodeRuntime, node, modules, handler string) (string, error) {
	dir, seen, err := l.runtime()
	if err != nil {
		return "", err
	}
	js, _ := files.ReadFile("node/preload/sdk-v2-endpoints.cjs")
	if err := os.WriteFile(filepath.Join(dir, "sdk-v2-endpoints.cjs"), js, 0o644); err != nil {
		return "", err
	}
	task := l.at(filepath.Join(l.dir, "task"), sandbox.TaskRoot)
	options := strings.TrimSpace(nr.flags + " --require " + seen("sdk-v2-endpoints.cjs"))
	script := fmt.Sprintf("#!/bin/sh\n# written by autoconfirm-conformance local\ncd '%s' || exit 1\nNODE_OPTIONS='%s'\"${NODE_OPTIONS:+ $NODE_OPTIONS}\"\nexport NODE_OPTIONS\n%s%s'%s' --expose-gc --max-http-header-size 81920 \"$@\" '%s' '%s'\n",
		quote(task), quote(options), heapArgs, execWrapper, quote(node), quote(filepath.Join(modules, "aws-lambda-ric", nr.entry)), handler)
	if _, err := writeBootstrap(dir, script); err != nil {
		return "", err
	}
	return seen("bootstrap"), nil
}

// provideModules makes dir/node_modules, above the task, hold what Lambda's
// Node.js runtime provides: the runtime's modules, and any other @aws-sdk
// package the code imports without bringing it.
func (c Cache) provideModules(ctx context.Context, task, dir, modules, nodeDir string) ([]string, error) {
	names, err := sdkImports(task)
	if err != nil {
		return nil, fmt.Errorf("reading the code for the AWS SDK packages it imports: %w", err)
	}
	extra, err := c.sdkModules(ctx, task, modules, names, nodeDir)
	if err != nil {
		return nil, err
	}
	if err := linkModules(filepath.Join(dir, "node_modules"), modules, extra); err != nil {
		return nil, fmt.Errorf("laying out the runtime's modules: %w", err)
	}
	return names, nil
}
