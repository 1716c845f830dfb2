//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
)

// preloadProbe, preloaded, logs where it is loaded: on this machine to
// $PRELOAD_LOG, in the sandbox to /tmp/preload.log.
const preloadProbe = `#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
__attribute__((constructor)) static void probe(void) {
	char exe[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0) return;
	exe[n] = 0;
	const char *path = access("/var/rapid", F_OK) == 0 ? "/tmp/preload.log" : getenv("PRELOAD_LOG");
	FILE *f = path ? fopen(path, "a") : NULL;
	if (f) { fprintf(f, "%s\n", exe); fclose(f); }
}
`

// preloadedHandler confirms only when the runtime, and none of the
// sandbox's own processes, loaded the probe.
const preloadedHandler = "def lambda_handler(event, context):\n    seen = set(open('/tmp/preload.log').read().split())\n" +
	"    own = [e for e in seen if e.startswith('/var/rapid/')]\n" +
	"    if own or not any('python' in e for e in seen):\n        raise RuntimeError('preloaded into %s' % sorted(seen))\n" +
	"    event['response']['autoConfirmUser'] = True\n    return event\n"

// TestFunctionEnvironmentStaysWithTheFunction: the function's variables
// reach its runtime only. LD_PRELOAD, which a function may set for its
// runtime as on Lambda, runs nothing in bwrap on this machine, nor in the
// sandbox's forwarder or emulator (red team round 17).
func TestFunctionEnvironmentStaysWithTheFunction(t *testing.T) {
	ctx, runner, code, layer := sandboxedWithGCC(t, true)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(layer, "lib"), 0o755)
	os.WriteFile(filepath.Join(code, "lambda_function.py"), []byte(preloadedHandler), 0o644)
	so := filepath.Join(layer, "lib", "libprobe.so")
	gccShared(t, ctx, preloadProbe, so)
	hostLog := filepath.Join(dir, "host.log")
	// The first path is the layer's, as the function sees it; the second,
	// this machine's, is what bwrap would load if it got the variable.
	cmd := exec.CommandContext(ctx, runner, "local", "--runtime", "python3.11", "--code", code, "--layer", layer,
		"--profile", "cognito,confirm", "--report-dir", t.TempDir(),
		"--env", "LD_PRELOAD=/opt/lib/libprobe.so "+so, "--env", "PRELOAD_LOG="+hostLog)
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "PROFILE=", "TAGS=")
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d, want 0: the runtime alone loads the function's LD_PRELOAD\n%s", code, out)
	}
	if b, err := os.ReadFile(hostLog); err == nil {
		t.Errorf("the function's LD_PRELOAD ran on this machine, in %s", b)
	}
}

// TestPackageLibrariesAndPaths: the function finds a library of its own
// lib/ by name, as Lambda's LD_LIBRARY_PATH gives it, and a layer's Python
// packages before the runtime's, as Lambda's sys.path orders them (red
// team round 17).
func TestPackageLibrariesAndPaths(t *testing.T) {
	ctx, runner, code, layer := sandboxedWithGCC(t, false)
	os.MkdirAll(filepath.Join(code, "lib"), 0o755)
	os.MkdirAll(filepath.Join(layer, "python"), 0o755)
	// A layer's sitecustomize, which an APM agent's layer ships, runs at
	// start as Python's site module runs it on Lambda.
	os.WriteFile(filepath.Join(layer, "python", "sitecustomize.py"), []byte("import os\nos.environ['LAYER_SITE'] = '1'\n"), 0o644)
	gccShared(t, ctx, "int noop(void) { return 7; }\n", filepath.Join(code, "lib", "libnoop.so"))
	os.WriteFile(filepath.Join(code, "lambda_function.py"), []byte("import ctypes, os, sys\n"+
		"def lambda_handler(event, context):\n    if ctypes.CDLL('libnoop.so').noop() != 7:\n        raise RuntimeError('noop')\n"+
		"    if '/opt/python' in sys.path and sys.path.index('/opt/python') > sys.path.index('/var/runtime'):\n        raise RuntimeError('the runtime before the layer: %s' % sys.path)\n"+
		"    if '/opt/python' in sys.path and os.environ.get('LAYER_SITE') != '1':\n        raise RuntimeError('the layer sitecustomize did not run')\n"+
		"    event['response']['autoConfirmUser'] = True\n    return event\n"), 0o644)
	for _, layers := range [][]string{nil, {"--layer", layer}} {
		cmd := exec.CommandContext(ctx, runner, append([]string{"local", "--runtime", "python3.11", "--code", code,
			"--profile", "cognito,confirm", "--report-dir", t.TempDir()}, layers...)...)
		cmd.Dir = root(t)
		cmd.Env = append(os.Environ(), "PROFILE=", "TAGS=")
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("%v: exit %d, want 0\n%s", layers, code, out)
		}
	}
}

// gccShared builds C source as a shared library at out.
func gccShared(t *testing.T, ctx context.Context, src, out string) {
	t.Helper()
	c := filepath.Join(t.TempDir(), "lib.c")
	os.WriteFile(c, []byte(src), 0o644)
	if b, err := exec.CommandContext(ctx, "gcc", "-shared", "-fPIC", "-o", out, c).CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", filepath.Base(out), err, b)
	}
}

// sandboxedWithGCC skips unless gcc and a sandbox are here (with Landlock's
// scopes when scopes), and returns a context, the runner, and a code and a
// layer directory.
func sandboxedWithGCC(t *testing.T, scopes bool) (ctx context.Context, runner, code, layer string) {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc to build a library")
	}
	if exec.Command("unshare", "--user", "--pid", "--mount", "true").Run() != nil {
		t.Skip("no sandbox here: the layers are not at /opt")
	}
	if v, _ := ll.LandlockGetABIVersion(); scopes && v < 6 {
		t.Skip("no Landlock scopes here")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	runner = gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	dir := t.TempDir()
	code, layer = filepath.Join(dir, "code"), filepath.Join(dir, "layer")
	os.MkdirAll(code, 0o755)
	os.MkdirAll(layer, 0o755)
	return ctx, runner, code, layer
}

// extensionProbe is a layer's extension that writes to /tmp/ext.log what of
// the sandbox's own it could reach, and the function's variable it sees.
const extensionProbe = `#!/usr/bin/python3
import os, json, resource, urllib.request
api = 'http://' + os.environ['AWS_LAMBDA_RUNTIME_API'] + '/2020-01-01/extension'
bad = []
for d in os.listdir('/proc'):
    if d.isdigit() and int(d) != os.getpid():
        try:
            open('/proc/%s/mem' % d, 'rb').close()
            bad.append('mem-' + d)
        except OSError:
            pass
try:
    os.mkdir('/var/rapid/sock/x')
    bad.append('sock')
except OSError:
    pass
if resource.getrlimit(resource.RLIMIT_NOFILE) != (1024, 1024):
    bad.append('nofile')
with open('/tmp/ext.log', 'w') as f:
    f.write('ran %s stage=%s\n' % (','.join(bad), os.environ.get('STAGE_NAME', '')))
req = urllib.request.Request(api + '/register', data=json.dumps({'events': ['INVOKE']}).encode(), headers={'Lambda-Extension-Name': 'probe'}, method='POST')
with urllib.request.urlopen(req) as r:
    eid = r.headers['Lambda-Extension-Identifier']
while True:
    urllib.request.urlopen(urllib.request.Request(api + '/event/next', headers={'Lambda-Extension-Identifier': eid})).read()
`

// extensionChecked confirms only when the extension ran confined, with the
// function's environment.
const extensionChecked = `def lambda_handler(event, context):
    log = open('/tmp/ext.log').read().split()
    if log != ['ran', 'stage=dev']:
        raise RuntimeError('extension: %s' % log)
    event['response']['autoConfirmUser'] = True
    return event
`

// TestExtensionsAreConfined: a layer's extension, which the emulator starts
// as Lambda does, runs confined as the runtime does, with the function's
// variables: it cannot open the sandbox's own processes' memory or change
// the forwarder's sockets (red team round 19).
func TestExtensionsAreConfined(t *testing.T) {
	ctx, runner, code, layer := sandboxedWithGCC(t, true)
	os.MkdirAll(filepath.Join(layer, "extensions"), 0o755)
	os.WriteFile(filepath.Join(layer, "extensions", "probe"), []byte(extensionProbe), 0o755)
	os.WriteFile(filepath.Join(code, "lambda_function.py"), []byte(extensionChecked), 0o644)
	cmd := exec.CommandContext(ctx, runner, "local", "--runtime", "python3.11", "--code", code, "--layer", layer,
		"--env", "STAGE_NAME=dev", "--profile", "cognito,confirm", "--report-dir", t.TempDir())
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "PROFILE=", "TAGS=")
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d, want 0: the extension ran unconfined or without the function's variables\n%s", code, out)
	}
}
