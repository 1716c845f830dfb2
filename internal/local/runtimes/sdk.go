package runtimes

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// SDKVersion is the AWS SDK for JavaScript v3 version that stands in for the
// one Lambda's Node.js runtimes include: the Cognito client's, which
// node/ric*/package-lock.json pin, and every other @aws-sdk package's that a
// handler imports without bringing it.
const SDKVersion = "3.1169.0"

var sdkImport = regexp.MustCompile(`["'](@aws-sdk/[a-z0-9][a-z0-9-]*)["'/]`)

// sdkImports lists the @aws-sdk packages that the code under task names in
// an import or require, outside node_modules.
func sdkImports(task string) ([]string, error) { return importsOf(task, sdkImport) }

// maxSource bounds a source file read for its imports: Lambda's whole
// package unzips to 250 MB, and no handler's module comes near this.
const maxSource = 16 << 20

// importsOf lists what re's first group matches in the JavaScript and
// TypeScript files under task, outside node_modules, sorted and once each.
func importsOf(task string, re *regexp.Regexp) ([]string, error) {
	var names []string
	err := filepath.WalkDir(task, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "node_modules":
			return fs.SkipDir
		case d.IsDir() || !slices.Contains([]string{".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx"}, filepath.Ext(p)):
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // a link, a fifo or a device: the code's own files are regular
		}
		b, err := bounded.ReadFile(p, maxSource, "a source file read for the modules it imports")
		if err != nil {
			return fmt.Errorf("reading %s for the modules it imports: %w", p, err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			if n := string(m[1]); !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		return nil
	})
	slices.Sort(names)
	return names, err
}

// sdkModules returns a node_modules directory holding the @aws-sdk packages
// in names that neither the code's own node_modules nor the runtime's
// modules provide, installed once at SDKVersion into the cache; "" when none
// is missing.
func (c Cache) sdkModules(ctx context.Context, task, runtimeModules string, names []string, nodeDir string) (string, error) {
	var missing []string
	for _, n := range names {
		_, own := os.Stat(filepath.Join(task, "node_modules", n))
		_, provided := os.Stat(filepath.Join(runtimeModules, n))
		if own != nil && provided != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return "", nil
	}
	dir := filepath.Join(c.Dir, "aws-sdk-"+SDKVersion)
	modules := filepath.Join(dir, "node_modules")
	var fetch []string
	for _, n := range missing {
		if _, err := os.Stat(filepath.Join(modules, n, "package.json")); err != nil {
			fetch = append(fetch, n+"@"+SDKVersion)
		}
	}
	if len(fetch) == 0 {
		return modules, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the cache %s: %w (set AUTOCONFIRM_CACHE to a writable directory)", c.Dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"autoconfirm-aws-sdk","private":true,"description":"AWS SDK v3 packages a handler imports that Lambda's Node.js runtimes include"}`+"\n"), 0o644)
	}
	// No package runs a script of its own on this machine (red team round 19).
	c.say("fetching %s, which Lambda's Node.js runtimes include, into %s", strings.Join(fetch, ", "), dir)
	if c.npmInstall(ctx, dir, nodeDir, fetch...) == nil {
		return modules, nil
	}
	// One at a time: a name the code only mentions (an optional import in
	// a try) may not be published, and must not keep the others out. What
	// cannot be fetched is said, and its import fails as the handler meets
	// it, not the run (red team round 20).
	for _, pkg := range fetch {
		if err := c.npmInstall(ctx, dir, nodeDir, pkg); err != nil {
			c.say("NOT AS ON LAMBDA: %s could not be fetched (%v): an import of it fails here, where Lambda's runtime includes the whole AWS SDK v3; put it in the code's own node_modules to run it", pkg, err)
		}
	}
	return modules, nil
}

// npmInstall installs pkgs into dir with npm, running no package's scripts.
func (c Cache) npmInstall(ctx context.Context, dir, nodeDir string, pkgs ...string) error {
	cmd := exec.CommandContext(ctx, "npm", append([]string{"install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", "--save-exact"}, pkgs...)...)
	cmd.Dir = dir
	cmd.Env = append(c.npmEnv(), "PATH="+filepath.Join(nodeDir, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w: %s", err, lastKiB(out))
	}
	return nil
}

// linkModules makes dst a node_modules directory of links to the packages
// of each source, scoped ones included; an earlier source's package wins.
func linkModules(dst string, sources ...string) error {
	for _, src := range sources {
		if src == "" {
			continue
		}
		entries, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if strings.HasPrefix(e.Name(), "@") {
				if err := linkModules(filepath.Join(dst, e.Name()), filepath.Join(src, e.Name())); err != nil {
					return err
				}
				continue
			}
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			to := filepath.Join(dst, e.Name())
			if _, err := os.Lstat(to); err == nil {
				continue
			}
			if err := os.Symlink(filepath.Join(src, e.Name()), to); err != nil {
				return err
			}
		}
	}
	return nil
}
