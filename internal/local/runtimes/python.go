package runtimes

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/autoconfirm/autoconfirm/internal/local/hostenv"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// preparePython runs a Python handler with the standard-library runtime-API
// client, on the interpreter of the minor version the runtime names when this
// machine has one, and says which stands in when it has not.
func (c Cache) preparePython(ctx context.Context, rt Runtime, code, handler, dir string) (Function, error) {
	py, version, prefix, err := pythonFor(ctx, rt)
	if err != nil {
		return Function{}, err
	}
	if err := checkHandler(handler); err != nil {
		return Function{}, err
	}
	l := c.layout(dir)
	rtDir, seen, err := l.runtime()
	if err != nil {
		return Function{}, err
	}
	b, _ := files.ReadFile("python/bootstrap.py")
	if err := os.WriteFile(filepath.Join(rtDir, "python-runtime-api.py"), b, 0o644); err != nil {
		return Function{}, err
	}
	task, err := l.task(code)
	if err != nil {
		return Function{}, err
	}
	// -S: no site-packages, so the handler finds only its own code and
	// what Lambda's runtime includes, not what pip put on this machine. -B:
	// no bytecode written into the code, as on Lambda, where /var/task is
	// read-only; the code's identity stays the same from run to run.
	script := fmt.Sprintf("#!/bin/sh\n# written by autoconfirm-conformance local\ncd '%s' || exit 1\n%s'%s' -S -B '%s' '%s'\n", quote(task), execWrapper, quote(py), quote(seen("python-runtime-api.py")), handler)
	if _, err := writeBootstrap(rtDir, script); err != nil {
		return Function{}, err
	}
	if prefix != "" && !sandbox.Under(prefix, "/usr") {
		if err := sharePython(l, py, prefix, version); err != nil {
			return Function{}, err
		}
	}
	f := Function{Bootstrap: seen("bootstrap"), Env: lambdaEnv(rt, handler, task), Interpreter: "Python " + version + " (" + py + ")"}
	if err := c.addBoto3(&f, l, code, rtDir); err != nil {
		return Function{}, err
	}
	f.Mounts = l.mounts
	if !strings.HasPrefix(version, fmt.Sprintf("3.%d.", rt.Minor)) {
		f.Differences = append(f.Differences, fmt.Sprintf("%s names Python 3.%d, which this machine lacks (Debian's packages offer 3.11 only, and PyPI is not reachable); Python %s stood in", rt.Name, rt.Minor, version))
	}
	return f, nil
}

// addBoto3 gives the function boto3, as Lambda's Python runtimes include
// it: Debian's, behind any the code vendors, at /var/runtime in a sandbox;
// f says how it differs from Lambda's.
func (c Cache) addBoto3(f *Function, l *layout, code, rtDir string) error {
	sdk, boto3, err := c.pythonSDK()
	switch {
	case err != nil:
		return err
	case sdk == "":
		f.Differences = append(f.Differences, "boto3, which Lambda's Python runtimes include, is not provided: `apt-get install python3-boto3` (make local-tools does), or vendor it in the code directory")
		return nil
	}
	if l.sandboxed { // where Lambda keeps it: /var/runtime
		if sdk, err = linkSDK(sdk, rtDir, sandbox.Runtime); err != nil {
			return err
		}
	}
	f.Env = append(f.Env, "PYTHONPATH="+sdk)
	if vendored(code, "boto3") { // the code's own comes first, here as on Lambda (red team round 26)
		f.Interpreter += ", the code's own boto3 (Debian's python3-boto3 " + boto3 + " behind it, where Lambda keeps its own)"
		f.Differences = append(f.Differences, "Debian's python3-boto3 stands behind the code's own boto3, where Lambda keeps its newer one; Debian's botocore needs requests, so `import requests` works here and not on Lambda")
		return nil
	}
	f.Interpreter += ", boto3 " + boto3 + " from Debian's python3-boto3"
	f.Differences = append(f.Differences, "boto3 "+boto3+" from Debian's python3-boto3 stands in for the runtime's newer one; Debian's botocore needs requests, so `import requests` works here and not on Lambda")
	return nil
}

// vendored says whether the code holds the package pkg at its root, where
// Python finds it before the runtime's.
func vendored(task, pkg string) bool {
	fi, err := os.Stat(filepath.Join(task, pkg, "__init__.py"))
	return err == nil && fi.Mode().IsRegular()
}

// pythonProbeEnv is the probe's environment: Base, and what a version
// manager's shim needs to find its interpreters (pyenv's root, under HOME
// by default, and its version); no secret of the host's.
func pythonProbeEnv(getenv func(string) string) []string {
	return hostenv.Pick(getenv, hostenv.Base, []string{"HOME", "PYENV_ROOT", "PYENV_VERSION"})
}

// pythonFor finds python3.MINOR, else python3, and returns the interpreter's
// real path (not a version manager's shim, which needs the caller's
// environment), its version and its installation's prefix.
func pythonFor(ctx context.Context, rt Runtime) (path, version, prefix string, err error) {
	// A version manager's shim may be on PATH for a version it has not
	// installed, and fail when run: then python3 stands in.
	ask := func(name string) ([]byte, error) {
		// -I: isolated, so that no module of the working directory (a
		// checkout's platform.py) runs on this machine (red team round 17).
		cmd := exec.CommandContext(ctx, name, "-I", "-S", "-c", "import sys,platform;print(sys.executable);print(platform.python_version());print(sys.base_prefix)")
		cmd.Env = pythonProbeEnv(os.Getenv)
		return cmd.Output()
	}
	name := fmt.Sprintf("python3.%d", rt.Minor)
	out, err := ask(name)
	if p := pyenvPython(os.Getenv, rt.Minor); err != nil && p != "" {
		name = p
		out, err = ask(name)
	}
	if err != nil {
		name = "python3"
		if _, err := need(name, "Python 3 runs the handler: on Debian or Ubuntu, `apt-get install python3`"); err != nil {
			return "", "", "", err
		}
		out, err = ask(name)
	}
	if err != nil {
		return "", "", "", fmt.Errorf("%s does not run: %w", name, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 || !filepath.IsAbs(lines[0]) {
		return "", "", "", fmt.Errorf("%s did not say where it lives: %q", name, out)
	}
	if minor, _ := strconv.Atoi(strings.Split(lines[1]+"..", ".")[1]); minor < 9 {
		return "", "", "", fmt.Errorf("%s is Python %s; the handler needs 3.9 or later", name, lines[1])
	}
	return lines[0], lines[1], lines[2], nil
}

// pyenvPython finds python3.MINOR, the newest patch release, among pyenv's
// installed versions: its shim offers only the versions it has selected,
// so a machine that has the runtime's minor version would otherwise judge
// the handler on another (red team round 17).
func pyenvPython(getenv func(string) string, minor int) string {
	root := getenv("PYENV_ROOT")
	if root == "" && getenv("HOME") != "" {
		root = filepath.Join(getenv("HOME"), ".pyenv")
	}
	if root == "" {
		return ""
	}
	found, _ := filepath.Glob(filepath.Join(root, "versions", fmt.Sprintf("3.%d.*", minor), "bin", fmt.Sprintf("python3.%d", minor)))
	best, bestPatch := "", -1
	for _, p := range found {
		patch, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(filepath.Dir(filepath.Dir(p))), fmt.Sprintf("3.%d.", minor)))
		if err == nil && patch > bestPatch {
			best, bestPatch = p, patch
		}
	}
	return best
}

// linkSDK links the entries of sdk (links into Debian's dist-packages,
// which the sandbox sees under /usr) into dir, seen at seen, and returns
// seen.
func linkSDK(sdk, dir, seen string) (string, error) {
	entries, err := os.ReadDir(sdk)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(sdk, e.Name()))
		if err != nil {
			return "", err
		}
		if err := os.Symlink(target, filepath.Join(dir, e.Name())); err != nil {
			return "", err
		}
	}
	return seen, nil
}

// debianPython is where Debian's python3-* packages live.
const debianPython = "/usr/lib/python3/dist-packages"

// boto3Closure is what Lambda's Python runtimes include (boto3 and what it
// needs), plus what Debian's botocore needs on top: it uses requests in
// place of its vendored copy.
var boto3Closure = []string{"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py",
	"requests", "idna", "charset_normalizer", "chardet", "certifi"}

// pythonSDK returns a directory that holds boto3 and its closure, linked
// from Debian's python3-boto3, and boto3's version; "" when Debian's boto3
// is not installed.
func (c Cache) pythonSDK() (dir, version string, err error) {
	b, err := os.ReadFile(filepath.Join(debianPython, "boto3", "__init__.py"))
	if err != nil {
		return "", "", nil
	}
	m := regexp.MustCompile(`__version__ = '([^']+)'`).FindSubmatch(b)
	if m == nil {
		return "", "", fmt.Errorf("%s/boto3 names no version", debianPython)
	}
	version = string(m[1])
	dir = filepath.Join(c.Dir, "python-sdk-boto3-"+version)
	if _, err := os.Stat(filepath.Join(dir, "boto3")); err == nil {
		return dir, version, nil
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", "", fmt.Errorf("creating the cache %s: %w (set AUTOCONFIRM_CACHE to a writable directory)", c.Dir, err)
	}
	sweepPartials(filepath.Join(c.Dir, ".python-sdk-*"))
	tmp, err := os.MkdirTemp(c.Dir, ".python-sdk-")
	if err != nil {
		return "", "", err
	}
	for _, p := range boto3Closure {
		if _, err := os.Stat(filepath.Join(debianPython, p)); err == nil {
			if err := os.Symlink(filepath.Join(debianPython, p), filepath.Join(tmp, p)); err != nil {
				os.RemoveAll(tmp)
				return "", "", err
			}
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(filepath.Join(dir, "boto3")); serr != nil {
			return "", "", err
		}
	}
	return dir, version, nil
}

// sharePython shows the sandbox an interpreter installed outside /usr
// (pyenv's, or one built with --prefix=$HOME): the interpreter, its
// standard library and its libpython, at their own paths, and not the rest
// of the prefix, which may be a home directory. Its site-packages, where
// pip put this machine's packages, is covered with an empty directory: on
// Lambda the handler finds only its code and the runtime's.
func sharePython(l *layout, py, prefix, version string) error {
	if !l.sandboxed {
		return nil
	}
	short := strings.Join(strings.SplitN(version, ".", 3)[:2], ".")
	stdlib := filepath.Join(prefix, "lib", "python"+short)
	if st, err := os.Stat(filepath.Join(stdlib, "os.py")); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("python %s at %s: its standard library is not at %s, where CPython installs it; local shows the sandbox only the interpreter and its standard library: use Debian's python3 (apt-get install python3)", version, py, stdlib)
	}
	l.share(py)
	l.share(stdlib)
	libs, _ := filepath.Glob(filepath.Join(prefix, "lib", "libpython"+short+"*.so*"))
	for _, lib := range libs {
		l.share(lib)
	}
	if st, err := os.Stat(filepath.Join(stdlib, "site-packages")); err == nil && st.IsDir() {
		empty := filepath.Join(l.dir, "empty-site-packages")
		if err := os.MkdirAll(empty, 0o555); err != nil {
			return err
		}
		l.mounts = append(l.mounts, sandbox.Mount{Host: empty, At: filepath.Join(stdlib, "site-packages")})
	}
	return nil
}
