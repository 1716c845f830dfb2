package runtimes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
	"github.com/autoconfirm/autoconfirm/internal/local/hostenv"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// ESBuildVersion is the esbuild node/esbuild/package-lock.json pins.
const ESBuildVersion = "0.28.2"

// bundleTypeScript bundles the handler's module with esbuild when it is
// TypeScript (module.ts, .mts, .cts or .tsx) and no JavaScript file of that
// name exists, which Lambda would run instead. It bundles as CDK's
// NodejsFunction does by default: everything the module imports, for the
// runtime's Node.js, as CommonJS, leaving out the AWS SDK v3, which the
// runtime provides. The bundle is written beside the source as module.js.
// In a sandbox, esbuild runs in one too, so that a tsconfig.json or an
// import cannot make it read (and quote) a file of this machine's. It
// returns the source's name, or "" when there was nothing to bundle.
func (c Cache) bundleTypeScript(ctx context.Context, l *layout, task, code, handler string, major int) (string, error) {
	module := handler[:max(0, strings.LastIndex(handler, "."))]
	source := typeScriptSource(task, module)
	if source == "" {
		return "", nil
	}
	esbuild, err := c.esbuild(ctx)
	if err != nil {
		return "", err
	}
	out := filepath.Join(l.dir, "esbuild")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	// "./": a source named as a flag (-x.ts) is still the source (red team
	// round 19).
	args := []string{"./" + filepath.ToSlash(source), "--bundle", "--platform=node", fmt.Sprintf("--target=node%d", major),
		"--format=cjs", "--outfile=" + module + ".js", "--external:@aws-sdk/*", "--log-level=warning"}
	shim, given, err := amplifyEnv(task, out, c.Sandbox != nil)
	if err != nil {
		return "", err
	}
	args = append(args, shim...)
	var mounts []sandbox.Mount
	cmd := exec.CommandContext(ctx, esbuild, append(args, "--metafile="+filepath.Join(out, "meta.json"))...)
	cmd.Dir = task
	cmd.Env = hostenv.Plain(os.Getenv, "")
	if c.Sandbox != nil {
		mounts = esbuildMounts(l, task, out, filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(esbuild)))))
		jail := &sandbox.Sandbox{Bwrap: c.Sandbox.Bwrap, Offline: true}
		argv := jail.Command(mounts, sandbox.TaskRoot, append([]string{esbuild}, append(args, "--metafile="+esbuildOut+"/meta.json")...)...)
		cmd = exec.CommandContext(ctx, c.Sandbox.Bwrap, argv...)
		cmd.Env = []string{}
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("bundling %s with esbuild %s, as CDK's NodejsFunction would, failed: %w\n%s", source, ESBuildVersion, err, lastKiB(b))
	}
	if err := bundledFromCode(filepath.Join(out, "meta.json"), task, code, mounts, filepath.Join(out, amplifyShim)); err != nil {
		os.Remove(filepath.Join(task, module+".js"))
		return "", err
	}
	if len(given) > 0 {
		source += fmt.Sprintf(" (%s given as Amplify Gen 2 generates it: the function's own process.env)", strings.Join(given, ", "))
	}
	return source, nil
}

// amplifyShim is the module that stands in for Amplify Gen 2's generated
// $amplify/env/<function>, in esbuild's output directory.
const amplifyShim = "amplify-env.js"

// amplifyImport is an import of the module Amplify Gen 2 generates for a
// function's environment variables.
var amplifyImport = regexp.MustCompile(`["'](\$amplify/env/[A-Za-z0-9_.-]+)["']`)

// amplifyEnv gives the esbuild arguments that resolve the code's imports of
// $amplify/env/<function>. Amplify generates that module when it builds the
// backend, as `export const env = process.env`, typed, into a directory
// that teams do not commit (aws-amplify/amplify-backend,
// FunctionEnvironmentTypeGenerator), so a checkout lacks it and esbuild
// cannot resolve it (red team round 24). The stand-in is the same module,
// written to out, which esbuild sees at esbuildOut in a sandbox.
func amplifyEnv(task, out string, sandboxed bool) (args, given []string, err error) {
	given, err = importsOf(task, amplifyImport)
	if err != nil || len(given) == 0 {
		return nil, nil, err
	}
	if err := os.WriteFile(filepath.Join(out, amplifyShim), []byte("export const env = process.env;\n"), 0o644); err != nil {
		return nil, nil, err
	}
	at := filepath.Join(out, amplifyShim)
	if sandboxed {
		at = esbuildOut + "/" + amplifyShim
	}
	for _, m := range given {
		args = append(args, "--alias:"+m+"="+at)
	}
	return args, given, nil
}

// esbuildOut is where esbuild, in a sandbox, writes its account of what it
// bundled.
const esbuildOut = "/tmp/esbuild"

// esbuildMounts shows esbuild, in a sandbox, the copy of the code at
// /var/task (writable: the bundle goes beside the source), the code's own
// node_modules inside it, its own binary, and a directory for its account.
func esbuildMounts(l *layout, task, out, esbuildDir string) []sandbox.Mount {
	mounts := []sandbox.Mount{
		{Host: esbuildDir, At: esbuildDir},
		{Host: task, At: sandbox.TaskRoot, Writable: true},
	}
	mounts = append(mounts, l.later...)
	return append(mounts, sandbox.Mount{Host: out, At: esbuildOut, Writable: true})
}

// typeScriptSource is module's TypeScript file in task, or "" when there is
// none or a JavaScript file of that name, which Lambda would run instead.
func typeScriptSource(task, module string) string {
	for _, ext := range []string{".js", ".mjs", ".cjs"} {
		if _, err := os.Stat(filepath.Join(task, module+ext)); err == nil {
			return ""
		}
	}
	for _, ext := range []string{".ts", ".mts", ".cts", ".tsx"} {
		if _, err := os.Stat(filepath.Join(task, module+ext)); err == nil {
			return module + ext
		}
	}
	return ""
}

// lastKiB is at most the last 4 KiB of a tool's output.
func lastKiB(b []byte) []byte {
	const most = 4 << 10
	if len(b) > most {
		return append([]byte("…"), b[len(b)-most:]...)
	}
	return b
}

// bundledFromCode refuses a bundle that took in a file from outside the
// code (an import of /etc/passwd, of a file up out of the directory): the
// bundle would show the function what it read. metafile is esbuild's
// account of its inputs, relative to the directory it ran in: task, or, in
// a sandbox (mounts), /var/task.
func bundledFromCode(metafile, task, code string, mounts []sandbox.Mount, shim string) error {
	b, err := os.ReadFile(metafile)
	if err != nil {
		return fmt.Errorf("reading esbuild's account of what it bundled: %w", err)
	}
	var m struct{ Inputs map[string]json.RawMessage }
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("reading esbuild's account of what it bundled: %w", err)
	}
	for in := range m.Inputs {
		if isShim(in, task, shim, mounts) {
			continue
		}
		p, ok := onHost(in, task, mounts)
		if !ok {
			return fmt.Errorf("the handler imports %s, which is outside its code (%s); Lambda's bundle holds only the code and its node_modules: move it into the code", in, code)
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return fmt.Errorf("the bundle took in %s, which cannot be found again: %w", in, err)
		}
		if codezip.Within(task, real) != nil && codezip.Within(code, real) != nil {
			return fmt.Errorf("the handler imports %s, which is outside its code (%s); Lambda's bundle holds only the code and its node_modules: move it into the code", real, code)
		}
	}
	return nil
}

// isShim says whether esbuild's input in is the Amplify stand-in, which
// this runner wrote.
func isShim(in, task, shim string, mounts []sandbox.Mount) bool {
	if len(mounts) > 0 {
		return path.Clean(path.Join(sandbox.TaskRoot, in)) == esbuildOut+"/"+amplifyShim || in == esbuildOut+"/"+amplifyShim
	}
	if !filepath.IsAbs(in) {
		in = filepath.Join(task, in)
	}
	return filepath.Clean(in) == shim
}

// onHost is where esbuild's input in is on this machine. Without mounts
// it ran in task; in a sandbox, in /var/task, and in is found through the
// innermost mount that holds it, or nowhere (false).
func onHost(in, task string, mounts []sandbox.Mount) (string, bool) {
	if len(mounts) == 0 {
		if filepath.IsAbs(in) {
			return in, true
		}
		return filepath.Join(task, in), true
	}
	p := in
	if !path.IsAbs(p) {
		p = path.Join(sandbox.TaskRoot, p)
	}
	host, found := "", 0
	for _, m := range mounts {
		// Only the code, and its node_modules inside it, count.
		if !sandbox.Under(m.At, sandbox.TaskRoot) || !sandbox.Under(p, m.At) || len(m.At) < found {
			continue
		}
		rel, _ := filepath.Rel(m.At, p)
		host, found = filepath.Join(m.Host, rel), len(m.At)
	}
	return host, host != ""
}

// esbuild installs the pinned esbuild into the cache once and returns its
// binary.
func (c Cache) esbuild(ctx context.Context) (string, error) {
	dir := filepath.Join(c.Dir, "esbuild-"+lockHash("node/esbuild"))
	bin := filepath.Join(dir, "node_modules", "esbuild", "bin", "esbuild")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if _, err := need("npm", "npm fetches esbuild, which bundles TypeScript handlers: on Debian or Ubuntu, `apt-get install nodejs npm`"); err != nil {
		return "", err
	}
	if err := c.npmCIFrom(ctx, dir, files, "node/esbuild", "esbuild "+ESBuildVersion+", to bundle the TypeScript handler", nil); err != nil {
		return "", err
	}
	return bin, nil
}
