package runtimes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/autoconfirm/autoconfirm/codezip"
	"github.com/autoconfirm/autoconfirm/internal/local/hostenv"
)

// ESBuildVersion is the esbuild node/esbuild/package-lock.json pins.
const ESBuildVersion = "0.28.2"

// bundleTypeScript bundles the handler's module with esbuild when it is
// TypeScript (module.ts, .mts, .cts or .tsx) and no JavaScript file of that
// name exists, which Lambda would run instead. It bundles as CDK's
// NodejsFunction does by default: everything the module imports, for the
// runtime's Node.js, as CommonJS, leaving out the AWS SDK v3, which the
// runtime provides. The bundle is written beside the source as module.js.
// It returns the source's name, or "" when there was nothing to bundle.
func (c Cache) bundleTypeScript(ctx context.Context, task, code, handler string, major int) (string, error) {
	module := handler[:max(0, strings.LastIndex(handler, "."))]
	for _, ext := range []string{".js", ".mjs", ".cjs"} {
		if _, err := os.Stat(filepath.Join(task, module+ext)); err == nil {
			return "", nil
		}
	}
	var source string
	for _, ext := range []string{".ts", ".mts", ".cts", ".tsx"} {
		if _, err := os.Stat(filepath.Join(task, module+ext)); err == nil {
			source = module + ext
			break
		}
	}
	if source == "" {
		return "", nil
	}
	esbuild, err := c.esbuild(ctx)
	if err != nil {
		return "", err
	}
	meta := filepath.Join(filepath.Dir(task), "esbuild-meta.json")
	cmd := exec.CommandContext(ctx, esbuild, source, "--bundle", "--platform=node", fmt.Sprintf("--target=node%d", major),
		"--format=cjs", "--outfile="+module+".js", "--external:@aws-sdk/*", "--log-level=warning", "--metafile="+meta)
	cmd.Dir = task
	cmd.Env = hostenv.Plain(os.Getenv, "")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("bundling %s with esbuild %s, as CDK's NodejsFunction would, failed: %w\n%s", source, ESBuildVersion, err, out)
	}
	if err := bundledFromCode(meta, task, code); err != nil {
		os.Remove(filepath.Join(task, module+".js"))
		return "", err
	}
	return source, nil
}

// bundledFromCode refuses a bundle that took in a file from outside the
// code (an import of /etc/shadow, of a file up out of the directory): esbuild
// runs on this machine, not in the sandbox, and the bundle would show the
// function what it read. metafile is esbuild's account of its inputs.
func bundledFromCode(metafile, task, code string) error {
	b, err := os.ReadFile(metafile)
	if err != nil {
		return fmt.Errorf("reading esbuild's account of what it bundled: %w", err)
	}
	var m struct{ Inputs map[string]json.RawMessage }
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("reading esbuild's account of what it bundled: %w", err)
	}
	for in := range m.Inputs {
		p := in
		if !filepath.IsAbs(p) {
			p = filepath.Join(task, p)
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
