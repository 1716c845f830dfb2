package runtimes

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// preparePython runs a Python handler with the standard-library runtime-API
// client, on the interpreter of the minor version the runtime names when this
// machine has one, and says which stands in when it has not.
func (c Cache) preparePython(ctx context.Context, rt Runtime, code, handler, dir string) (Function, error) {
	py, version, err := pythonFor(ctx, rt)
	if err != nil {
		return Function{}, err
	}
	if err := checkHandler(handler); err != nil {
		return Function{}, err
	}
	adapter := filepath.Join(dir, "python-runtime-api.py")
	b, _ := files.ReadFile("python/bootstrap.py")
	if err := os.WriteFile(adapter, b, 0o644); err != nil {
		return Function{}, err
	}
	script := fmt.Sprintf("#!/bin/sh\n# written by autoconfirm-conformance local\ncd '%s' || exit 1\nexec '%s' '%s' '%s'\n", quote(code), quote(py), quote(adapter), handler)
	boot, err := writeBootstrap(dir, script)
	if err != nil {
		return Function{}, err
	}
	f := Function{Bootstrap: boot, Env: lambdaEnv(rt, handler, code), Interpreter: "Python " + version + " (" + py + ")"}
	if !strings.HasPrefix(version, fmt.Sprintf("3.%d.", rt.Minor)) {
		f.StandIn = fmt.Sprintf("%s names Python 3.%d, which this machine lacks (Debian's packages offer 3.11 only, and PyPI is not reachable); Python %s stood in", rt.Name, rt.Minor, version)
	}
	return f, nil
}

// pythonFor finds python3.MINOR, else python3, and returns the interpreter's
// real path (not a version manager's shim, which needs the caller's
// environment) and its version.
func pythonFor(ctx context.Context, rt Runtime) (path, version string, err error) {
	// A version manager's shim may be on PATH for a version it has not
	// installed, and fail when run: then python3 stands in.
	ask := func(name string) ([]byte, error) {
		return exec.CommandContext(ctx, name, "-c", "import sys,platform;print(sys.executable);print(platform.python_version())").Output()
	}
	name := fmt.Sprintf("python3.%d", rt.Minor)
	out, err := ask(name)
	if err != nil {
		name = "python3"
		if _, err := need(name, "Python 3 runs the handler: on Debian or Ubuntu, `apt-get install python3`"); err != nil {
			return "", "", err
		}
		out, err = ask(name)
	}
	if err != nil {
		return "", "", fmt.Errorf("%s does not run: %w", name, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || !filepath.IsAbs(lines[0]) {
		return "", "", fmt.Errorf("%s did not say where it lives: %q", name, out)
	}
	if minor, _ := strconv.Atoi(strings.Split(lines[1]+"..", ".")[1]); minor < 9 {
		return "", "", fmt.Errorf("%s is Python %s; the handler needs 3.9 or later", name, lines[1])
	}
	return lines[0], lines[1], nil
}
