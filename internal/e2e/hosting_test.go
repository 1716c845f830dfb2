//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/memcg"
	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
)

// hosted is a handler written for this test, in a shape that Lambda and
// Cognito treat in a known way, and what `local` must make of it.
type hosted struct {
	name, runtime, handler string
	files                  map[string]string // code directory: name -> content
	code                   string            // or an existing directory
	npmCI                  bool              // install the code's node_modules from its lock first
	args                   []string
	wantExit               int
	want                   []string // in the output
	wantOne                []string // one of them in the output
	inReports              []string // in run.json and report.html
	absent                 []string // nowhere in the output
	within                 time.Duration
	cgroup                 bool // judged only in a sandbox with a memory cgroup
	sandboxed              bool // judged only in a sandbox, with Landlock's scopes
	pids                   bool // judged only in a sandbox with a pids cgroup
}

// Memory the per-process view misses, held once by each process: 200 MB
// in System V message queues, and 304 MB in memory files in flight over a
// socket; and 300 MB written to /tmp, which is not memory on Lambda.
const (
	msgqHog = "import ctypes, time\nlibc = ctypes.CDLL(None)\nclass M(ctypes.Structure):\n    _fields_ = [('t', ctypes.c_long), ('b', ctypes.c_char * 8192)]\n" +
		"held = False\ndef lambda_handler(event, context):\n    global held\n    m = M(1, b'y' * 8192)\n    for i in range(0 if held else 12800):\n" +
		"        q = libc.msgget(0, 0o1600)\n        libc.msgsnd(q, ctypes.byref(m), 8192, 0o4000)\n        libc.msgsnd(q, ctypes.byref(m), 8192, 0o4000)\n" +
		"    held = True\n    time.sleep(0.3)\n    event['response']['autoConfirmUser'] = True\n    return event\n"
	inFlightHog = "import os, socket, time\na, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\nheld = False\ndef lambda_handler(event, context):\n    global held\n" +
		"    for i in range(0 if held else 19):\n        fd = os.memfd_create('m')\n        os.write(fd, b'x' * (16 << 20))\n        socket.send_fds(a, [b'x'], [fd])\n        os.close(fd)\n" +
		"    held = True\n    time.sleep(0.3)\n    event['response']['autoConfirmUser'] = True\n    return event\n"
	tmpFiller = "import os\ndef lambda_handler(event, context):\n    if not os.path.exists('/tmp/big'):\n        with open('/tmp/big', 'wb') as f:\n" +
		"            for i in range(300):\n                f.write(b'z' * (1 << 20))\n    event['response']['autoConfirmUser'] = True\n    return event\n"
)

// Handlers for the sandbox's confinement (red team round 16).
const (
	// ownProcesses refuses when it can open another process's memory or
	// signal it, or has other than Lambda's 1,024 open files.
	ownProcesses = "import os, resource\ndef lambda_handler(event, context):\n    bad = []\n    for d in os.listdir('/proc'):\n" +
		"        if not d.isdigit() or int(d) == os.getpid():\n            continue\n" +
		"        try:\n            open('/proc/%s/mem' % d, 'rb').close()\n            bad.append('memory of ' + d)\n        except OSError:\n            pass\n" +
		"        try:\n            os.kill(int(d), 0)\n            bad.append('signal to ' + d)\n        except OSError:\n            pass\n" +
		"    if resource.getrlimit(resource.RLIMIT_NOFILE) != (1024, 1024):\n        bad.append('open files %s' % (resource.getrlimit(resource.RLIMIT_NOFILE),))\n" +
		"    if bad:\n        raise RuntimeError(', '.join(bad))\n    event['response']['autoConfirmUser'] = True\n    return event\n"
	// aroundRuntime is a custom runtime that takes its events from the
	// emulator's own Runtime API, found in /proc, or with USE_OWN from
	// $AWS_LAMBDA_RUNTIME_API as Lambda's are.
	aroundRuntime = "#!/usr/bin/python3\nimport json, os, urllib.request\ndef api():\n    if os.environ.get('USE_OWN'):\n        return os.environ['AWS_LAMBDA_RUNTIME_API']\n" +
		"    for d in os.listdir('/proc'):\n        try:\n            args = open('/proc/%s/cmdline' % d, 'rb').read().decode().split('\\0')\n        except OSError:\n            continue\n" +
		"        if '--runtime-api-address' in args:\n            return args[args.index('--runtime-api-address') + 1]\n    raise SystemExit('no emulator found')\n" +
		"base = 'http://' + api() + '/2018-06-01/runtime/invocation/'\nwhile True:\n    with urllib.request.urlopen(base + 'next') as r:\n" +
		"        rid = r.headers['Lambda-Runtime-Aws-Request-Id']\n        event = json.load(r)\n    event['response']['autoConfirmUser'] = True\n" +
		"    urllib.request.urlopen(urllib.request.Request(base + rid + '/' + os.environ.get('POST_TO', 'response'), data=json.dumps(event).encode(), method='POST')).read()\n"
	// socketsKept refuses when it can unlink, replace or add a file in the
	// directory of the forwarder's sockets.
	socketsKept = "import os\ndef lambda_handler(event, context):\n    done = []\n    d = '/var/rapid/sock'\n    if not os.listdir(d):\n        raise RuntimeError('no socket to try')\n    for name in os.listdir(d):\n" +
		"        try:\n            os.unlink(os.path.join(d, name))\n            done.append('removed ' + name)\n        except OSError:\n            pass\n" +
		"    try:\n        open(os.path.join(d, 'mine'), 'w').close()\n        done.append('made a file')\n    except OSError:\n        pass\n" +
		"    if done:\n        raise RuntimeError(', '.join(done))\n    event['response']['autoConfirmUser'] = True\n    return event\n"
	// scratch600 writes and removes a 600 MB scratch file on each sign-up.
	scratch600 = "import os\ndef lambda_handler(event, context):\n    with open('/tmp/scratch', 'wb') as f:\n        for i in range(600):\n            f.write(b'z' * (1 << 20))\n" +
		"    os.remove('/tmp/scratch')\n    event['response']['autoConfirmUser'] = True\n    return event\n"
	wrapper = "#!/bin/sh\nexport POLICY_CONFIRM=1\nexec \"$@\"\n"
)

// hog holds 300 MB for a moment on each sign-up, and confirms it.
const hog = "import time\ndef lambda_handler(event, context):\n    held = b'x' * (300 << 20)\n    time.sleep(0.5)\n    event['response']['autoConfirmUser'] = len(held) > 0\n    return event\n"

const confirmPy = "def lambda_handler(event, context):\n    event['response']['autoConfirmUser'] = True\n    return event\n"

// TestHostingAsLambda: each handler gets the verdict Lambda and Cognito
// would give the same code, in bounded time, and no run leaves a process or
// a temporary directory behind.
func TestHostingAsLambda(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	cases := []hosted{
		{name: "a hung handler ends the run", runtime: "python3.11",
			files:    map[string]string{"lambda_function.py": "import time\ndef lambda_handler(event, context):\n    time.sleep(3600)\n"},
			wantExit: 1, want: []string{"Sandbox.Timedout", "Task timed out after 3.00 seconds", "Cognito would fail every sign-up"}, within: 30 * time.Second},
		{name: "a 6 s handler under a 10 s timeout: Cognito gives up after three attempts", runtime: "python3.11", args: []string{"--timeout", "10s"},
			files:    map[string]string{"lambda_function.py": "import time\ndef lambda_handler(event, context):\n    time.sleep(6)\n    return event\n"},
			wantExit: 1, want: []string{"timed out: Cognito would fail it: no answer within 5s in 3 attempts"}, within: 40 * time.Second},
		// The retry finds the first environment still busy and starts cold in
		// another; the third finds the first one warm (amplify-cli#5425).
		{name: "a 6 s cold start passes on the third attempt, and says the handler ran three times", runtime: "python3.11", args: []string{"--timeout", "10s", "--profile", "cognito"},
			files:    map[string]string{"lambda_function.py": "import time\ntime.sleep(6)\n\ndef lambda_handler(event, context):\n    return event\n"},
			wantExit: 0, want: []string{"SLOW COLD START", "invoked the handler 3 times"}, within: 60 * time.Second},
		{name: "a bootstrap that exits during init is a setup error", runtime: "provided.al2023",
			files: map[string]string{"bootstrap": "#!/bin/sh\necho 'missing configuration' >&2\nexit 3\n"},
			// The emulator says "exit status 3" or, when the process is gone
			// before it reads the status, "without providing a reason".
			wantExit: 2, want: []string{"Runtime.ExitError", "missing configuration"}, wantOne: []string{"exit status 3", "Runtime exited without providing a reason"}, within: 15 * time.Second},
		{name: "the context reports the configured timeout", runtime: "python3.11", args: []string{"--timeout", "4s", "--profile", "cognito"},
			files: map[string]string{"lambda_function.py": "def lambda_handler(event, context):\n    left = context.get_remaining_time_in_millis()\n" +
				"    if not 3000 < left <= 4000:\n        raise RuntimeError('remaining %d ms' % left)\n    return event\n"},
			wantExit: 0, within: 60 * time.Second},
		{name: "Python: an import error is a setup error", runtime: "python3.11",
			files:    map[string]string{"lambda_function.py": "import no_such_module\n" + confirmPy},
			wantExit: 2, want: []string{"Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'no_such_module'"}, within: 15 * time.Second},
		{name: "Python: a syntax error is a setup error", runtime: "python3.11",
			files:    map[string]string{"lambda_function.py": "def lambda_handler(event, context)\n    return event\n"},
			wantExit: 2, want: []string{"Runtime.UserCodeSyntaxError: Syntax error in module 'lambda_function'"}, within: 15 * time.Second},
		{name: "Python: a wrong handler name is a setup error", runtime: "python3.11", handler: "lambda_function.handler",
			files:    map[string]string{"lambda_function.py": confirmPy},
			wantExit: 2, want: []string{"Runtime.HandlerNotFound: Handler 'handler' missing on module 'lambda_function'"}, within: 15 * time.Second},
		{name: "Python: the environment is Lambda's, not the runner's", runtime: "python3.11", args: []string{"--profile", "cognito"},
			files: map[string]string{"lambda_function.py": "import os\ndef lambda_handler(event, context):\n" +
				"    bad = [k for k in ('AUTOCONFIRM_E2E_HOST_ONLY', 'HOME', 'AWS_LAMBDA_FUNCTION_TIMEOUT') if k in os.environ]\n" +
				"    want = {'AWS_REGION': 'us-east-1', 'AWS_DEFAULT_REGION': 'us-east-1', 'AWS_LAMBDA_FUNCTION_NAME': 'PreSignUp', 'AWS_EXECUTION_ENV': 'AWS_Lambda_python3.11', '_HANDLER': 'lambda_function.lambda_handler', 'TZ': ':UTC'}\n" +
				"    bad += [k for k, v in want.items() if os.environ.get(k) != v]\n" +
				"    bad += [k for k in ('AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL', 'LAMBDA_TASK_ROOT') if not os.environ.get(k)]\n" +
				"    if os.environ.get('AWS_ACCESS_KEY_ID') == 'AKIAHOSTCREDENTIAL00':\n        bad.append('the host credentials')\n" +
				"    if not os.environ.get('_X_AMZN_TRACE_ID', '').startswith('Root=1-'):\n        bad.append('_X_AMZN_TRACE_ID')\n" +
				"    if bad:\n        raise RuntimeError('not as on Lambda: %s' % bad)\n    return event\n"},
			wantExit: 0, within: 60 * time.Second},
		{name: "Python: a minor version this machine lacks is said to stand in", runtime: "python3.14", args: []string{"--profile", "cognito"},
			files:    map[string]string{"lambda_function.py": confirmPy},
			wantExit: 0, want: []string{"NOT AS ON LAMBDA: python3.14 names Python 3.14"}, inReports: []string{"NOT AS ON LAMBDA: python3.14 names Python 3.14"}, within: 60 * time.Second},
		{name: "Node.js: a syntax error is a setup error", runtime: "nodejs22.x",
			files:    map[string]string{"index.mjs": "export const handler = async (event) => { return event;\n"},
			wantExit: 2, want: []string{"Runtime.UserCodeSyntaxError"}, within: 15 * time.Second},
		{name: "Node.js 20: require() of an ES module fails at init, as on Lambda", runtime: "nodejs20.x",
			files: map[string]string{"lib.mjs": "export const confirm = (e) => { e.response.autoConfirmUser = true; return e; };\n",
				"index.js": "const { confirm } = require('./lib.mjs');\nexports.handler = async (event) => confirm(event);\n"},
			wantExit: 2, want: []string{"require() of ES Module"}, within: 15 * time.Second},
		{name: "Node.js 22: the function's NODE_OPTIONS turns require(esm) back on, as Lambda documents", runtime: "nodejs22.x",
			args: []string{"--profile", "cognito", "--env", "NODE_OPTIONS=--experimental-require-module"},
			files: map[string]string{"lib.mjs": "export const confirm = (e) => { e.response.autoConfirmUser = true; return e; };\n",
				"index.js": "const { confirm } = require('./lib.mjs');\nexports.handler = async (event) => confirm(event);\n"},
			wantExit: 0, within: 60 * time.Second},
		// Lambda's runtime client writes logs to its telemetry descriptor
		// synchronously: none queue in the function's memory. The function
		// sees its own NODE_OPTIONS, not the preload (red team round 24).
		{name: "Node.js: logs are written as they are made, and NODE_OPTIONS is the function's", runtime: "nodejs22.x",
			args: []string{"--profile", "cognito,confirm", "--env", "NODE_OPTIONS=--enable-source-maps"},
			files: map[string]string{"index.mjs": "export const handler = async (event) => {\n  for (let i = 0; i < 15000; i++) console.log('x'.repeat(200));\n" +
				"  if (process.stdout.writableLength > 65536) throw new Error('stdout queued ' + process.stdout.writableLength);\n" +
				"  if (!process.env.NODE_OPTIONS.endsWith('--enable-source-maps') || process.env.NODE_OPTIONS.includes('--require ')) throw new Error('NODE_OPTIONS ' + process.env.NODE_OPTIONS);\n" +
				"  event.response.autoConfirmUser = true;\n  return event;\n};\n"},
			wantExit: 0, absent: []string{"stdout queued", "NODE_OPTIONS "}, within: 60 * time.Second},
		// Amplify Gen 2 generates $amplify/env/<function> when it builds;
		// a checkout lacks it (red team round 24).
		{name: "TypeScript: Amplify Gen 2's $amplify/env module is the function's environment", runtime: "nodejs22.x", handler: "handler.handler",
			args: []string{"--profile", "cognito,confirm", "--env", "SIGN_UP_OPEN=yes"},
			files: map[string]string{"handler.ts": "import type { PreSignUpTriggerHandler } from 'aws-lambda';\nimport { env } from '$amplify/env/pre-sign-up';\n" +
				"export const handler: PreSignUpTriggerHandler = async (event) => {\n  if (env.SIGN_UP_OPEN !== 'yes') throw new Error('sign-ups are closed');\n" +
				"  event.response.autoConfirmUser = true;\n  return event;\n};\n"},
			wantExit: 0, want: []string{"$amplify/env/pre-sign-up given as Amplify Gen 2 generates it"}, within: 60 * time.Second},
		// Lambda's Node.js 18 and later runtimes search NODE_PATH, the
		// layers' folders, for `import` too (red team round 26).
		{name: "Node.js: an ES module imports a package from its layer", runtime: "nodejs22.x",
			args: []string{"--profile", "cognito,confirm", "--layer", "testdata/templates/node-layer/layer"},
			files: map[string]string{"index.mjs": "import { decide } from 'confirm-decision';\nexport const handler = async (event) => {\n" +
				"  event.response = { ...event.response, ...decide(event) };\n  return event;\n};\n"},
			wantExit: 0, within: 60 * time.Second},
		{name: "Node.js: an ES module's import of a package no layer holds still fails", runtime: "nodejs22.x",
			args:     []string{"--profile", "cognito,confirm", "--layer", "testdata/templates/node-layer/layer"},
			files:    map[string]string{"index.mjs": "import { decide } from 'no-such-decision';\nexport const handler = async (event) => decide(event);\n"},
			wantExit: 2, want: []string{"Cannot find package 'no-such-decision'"}, within: 60 * time.Second},
		{name: "Node.js 24 refuses a callback handler, as Lambda does", runtime: "nodejs24.x",
			files:    map[string]string{"index.js": "exports.handler = (event, context, callback) => { event.response.autoConfirmUser = true; callback(null, event); };\n"},
			wantExit: 2, want: []string{"Runtime.CallbackHandlerDeprecated", "Node.js 24"}, within: 15 * time.Second},
		{name: "Node.js 24 runs an async handler", runtime: "nodejs24.x", args: nil,
			code: "testdata/impls/guarded-node", wantExit: 0, want: []string{"Node.js v24."}, within: 60 * time.Second},
		{name: "boto3 (Debian's 1.26, which ignores AWS_ENDPOINT_URL_*) reaches the local pool", runtime: "python3.11", code: "testdata/impls/guarded-boto3",
			wantExit: 0, want: []string{"boto3 1.26", "NOT AS ON LAMBDA: boto3"}, within: 60 * time.Second},
		{name: "boto3: a call to another service stays on this machine", runtime: "python3.11", code: "testdata/impls/guarded-boto3", args: []string{"--profile", "auto-confirm", "--env", "CALL_OTHER_SERVICE=1"},
			wantExit: 1, want: []string{"dynamodb is not emulated by autoconfirm-conformance local; point AWS_ENDPOINT_URL_DYNAMODB"}, within: 60 * time.Second},
		{name: "JS SDK v2 (which ignores AWS_ENDPOINT_URL_*) reaches the local pool", runtime: "nodejs22.x", code: "testdata/impls/sdkv2-node", npmCI: true,
			wantExit: 0, within: 60 * time.Second},
		{name: "JS SDK v2 imported from an ES module reaches the local pool", runtime: "nodejs22.x", code: "testdata/impls/sdkv2-node", handler: "esm.handler", npmCI: true,
			args: []string{"--profile", "auto-confirm"}, wantExit: 0, within: 60 * time.Second},
		{name: "JS SDK v2: a call to another service stays on this machine", runtime: "nodejs22.x", code: "testdata/impls/sdkv2-node", npmCI: true, args: []string{"--profile", "auto-confirm", "--env", "CALL_OTHER_SERVICE=1"},
			wantExit: 1, want: []string{"dynamodb is not emulated by autoconfirm-conformance local"}, within: 60 * time.Second},
		{name: "JS SDK v3: a client the runtime includes is fetched, and its call to another service stays on this machine", runtime: "nodejs22.x", args: []string{"--profile", "auto-confirm"},
			files: map[string]string{"index.mjs": `import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
const db = new DynamoDBClient({});
export const handler = async (event) => {
  await db.send(new GetItemCommand({ TableName: "sign-ups", Key: { id: { S: "x" } } }));
  event.response.autoConfirmUser = true;
  return event;
};
`},
			wantExit: 1, want: []string{"dynamodb is not emulated by autoconfirm-conformance local"}, within: 3 * time.Minute},
		{name: "TypeScript that does not compile is a setup error", runtime: "nodejs22.x", handler: "handler.handler",
			files:    map[string]string{"handler.ts": "export const handler = async (event: any) => { return event;\n"},
			wantExit: 2, want: []string{"bundling handler.ts with esbuild 0.28.2"}, within: 30 * time.Second},
		{name: "a function that holds more than its memory size is ended, as Lambda ends it", runtime: "python3.11", args: []string{"--profile", "cognito,confirm"},
			files:    map[string]string{"lambda_function.py": hog},
			wantExit: 1, want: []string{"more than its memory size of 128 MB", "Runtime exited with error: signal: killed"}, within: 60 * time.Second},
		{name: "the same function under a memory size that holds it passes", runtime: "python3.11", args: []string{"--profile", "cognito,confirm", "--memory", "1024"},
			files:    map[string]string{"lambda_function.py": hog},
			wantExit: 0, within: 60 * time.Second},
		{name: "memory in System V message queues counts, as on Lambda", runtime: "python3.11", args: []string{"--profile", "cognito,confirm"}, cgroup: true,
			files:    map[string]string{"lambda_function.py": msgqHog},
			wantExit: 1, want: []string{"more than its memory size of 128 MB", "memory counted in a memory cgroup"}, within: 60 * time.Second},
		{name: "memory files in flight over a socket count, as on Lambda", runtime: "python3.11", args: []string{"--profile", "cognito,confirm"}, cgroup: true,
			files:    map[string]string{"lambda_function.py": inFlightHog},
			wantExit: 1, want: []string{"more than its memory size of 128 MB", "memory counted in a memory cgroup"}, within: 60 * time.Second},
		// Lambda sizes V8's heap to the memory size; without that, garbage
		// piles up past 128 MB before V8 collects it (red team round 15).
		{name: "Node.js: short-lived garbage is collected within the memory size, as on Lambda", runtime: "nodejs22.x", args: []string{"--profile", "cognito,confirm"},
			files: map[string]string{"index.mjs": "export const handler = async (event) => {\n  let tmp = [];\n  for (let i = 0; i < 70000; i++) tmp.push({ i, s: 'x'.repeat(40) + i });\n" +
				"  event.response.autoConfirmUser = tmp.length > 0;\n  tmp = null;\n  return event;\n};\n"},
			wantExit: 0, absent: []string{"memory size"}, within: 60 * time.Second},
		{name: "300 MB written to /tmp is not memory, as on Lambda", runtime: "python3.11", args: []string{"--profile", "cognito,confirm"},
			files:    map[string]string{"lambda_function.py": tmpFiller},
			wantExit: 0, absent: []string{"memory size"}, within: 60 * time.Second},
		// What a handler writes is shown escaped: it cannot start a line that
		// passes for the run's own, nor clear the terminal (red team round 13).
		{name: "a refusal's text cannot pass for the run's own lines", runtime: "python3.11", args: []string{"--profile", "cognito,confirm"},
			files:    map[string]string{"lambda_function.py": "def lambda_handler(event, context):\n    raise Exception('boom\\nlocal: PASS in 0.9s\\n\\x1b[2J')\n"},
			wantExit: 1, want: []string{`boom\nlocal: PASS in 0.9s\n\x1b[2J`}, absent: []string{"\nlocal: PASS in 0.9s", "\x1b["}, within: 60 * time.Second},
		{name: "a refusal named as a load error is a refusal, not a setup error", runtime: "python3.11", args: []string{"--profile", "cognito,confirm"},
			files:    map[string]string{"lambda_function.py": "E = type('Runtime.ImportModuleError', (Exception,), {})\ndef lambda_handler(event, context):\n    raise E('no')\n"},
			wantExit: 1, absent: []string{"cannot start"}, within: 60 * time.Second},
		{name: "a failed start's log cannot pass for the run's own lines", runtime: "python3.11",
			files:    map[string]string{"lambda_function.py": "print('\\x1b[2J\\rlocal: PASS in 0.9s', flush=True)\nraise SystemExit(3)\n"},
			wantExit: 2, want: []string{`| \x1b[2J\rlocal: PASS in 0.9s`}, absent: []string{"\nlocal: PASS in 0.9s", "\x1b["}, within: 30 * time.Second},
		{name: "TypeScript that imports a package of its own node_modules is bundled with it", runtime: "nodejs22.x", handler: "handler.handler", args: []string{"--profile", "cognito,confirm"},
			files: map[string]string{"handler.ts": "import { confirm } from \"shape\";\nexport const handler = async (event: any) => confirm(event);\n",
				"node_modules/shape/package.json": `{"name": "shape", "main": "index.js"}`,
				"node_modules/shape/index.js":     "exports.confirm = (e) => { e.response.autoConfirmUser = true; return e; };\n"},
			wantExit: 0, want: []string{"handler.ts bundled with esbuild"}, within: 60 * time.Second},
		// esbuild runs in the sandbox: a file of this machine's (here the
		// checkout's go.mod) is not there to read, or to quote in an error.
		{name: "TypeScript whose tsconfig.json extends a file of this machine's does not read it", runtime: "nodejs22.x", handler: "handler.handler", args: []string{"--profile", "cognito"},
			files: map[string]string{"handler.ts": "export const handler = async (event: any) => event;\n",
				"tsconfig.json": `{"extends": "` + filepath.Join(root(t), "go.mod") + `"}`},
			wantExit: 0, absent: []string{"module github.com/autoconfirm"}, within: 60 * time.Second},
		{name: "TypeScript that imports a file of this machine's as text is a setup error that does not show it", runtime: "nodejs22.x", handler: "handler.handler",
			files:    map[string]string{"handler.ts": "import mod from \"" + filepath.Join(root(t), "go.mod") + "\" with { type: \"text\" };\nexport const handler = async (event: any) => { console.log(mod); return event; };\n"},
			wantExit: 2, want: []string{"Could not resolve"}, absent: []string{"module github.com/autoconfirm"}, within: 30 * time.Second},
		{name: "ListUsers with Limit 100 is refused, as Cognito refuses it", runtime: "nodejs22.x", args: []string{"--profile", "auto-confirm", "--env", "LIST_LIMIT=100"},
			code: "testdata/impls/guarded-node", wantExit: 1, want: []string{"less than or equal to 60"}, within: 60 * time.Second},
		{name: "the sandbox's own processes are out of the function's reach, and it has Lambda's 1,024 open files", runtime: "python3.11", args: []string{"--profile", "cognito,confirm"}, sandboxed: true,
			files: map[string]string{"lambda_function.py": ownProcesses}, wantExit: 0, want: []string{"Landlock ABI"}, within: 60 * time.Second},
		{name: "Python: a line printed just before the function dies reaches the log, as Lambda's runtime flushes each write", runtime: "python3.12", args: []string{"--profile", "cognito,confirm"},
			files:    map[string]string{"lambda_function.py": "import os\nprint('loading marker-5e1f')\nos._exit(3)\ndef lambda_handler(event, context):\n    return event\n"},
			wantExit: 2, want: []string{"loading marker-5e1f"}, within: 60 * time.Second},
		{name: "a custom runtime that takes its events from the emulator's own Runtime API fails", runtime: "provided.al2023", args: []string{"--profile", "cognito,confirm"}, sandboxed: true,
			files: map[string]string{"bootstrap": aroundRuntime}, wantExit: 1, want: []string{"the function answered an event it did not take from, or answer to, $AWS_LAMBDA_RUNTIME_API"}, within: 60 * time.Second},
		{name: "the same custom runtime through $AWS_LAMBDA_RUNTIME_API passes", runtime: "provided.al2023", args: []string{"--profile", "cognito,confirm", "--env", "USE_OWN=1"}, sandboxed: true,
			files: map[string]string{"bootstrap": aroundRuntime}, wantExit: 0, within: 60 * time.Second},
		{name: "a function's ephemeral storage is its /tmp", runtime: "python3.11", args: []string{"--profile", "cognito,confirm", "--ephemeral-storage", "1024"}, sandboxed: true,
			files: map[string]string{"lambda_function.py": scratch600}, wantExit: 0, want: []string{"/tmp 1024 MB"}, within: 60 * time.Second},
		{name: "the same function with Lambda's default 512 MB of /tmp fails", runtime: "python3.11", args: []string{"--profile", "cognito,confirm"}, sandboxed: true,
			files: map[string]string{"lambda_function.py": scratch600}, wantExit: 1, want: []string{"No space left on device"}, within: 60 * time.Second},
		{name: "Python: AWS_LAMBDA_EXEC_WRAPPER starts the runtime, as on Lambda", runtime: "python3.11", sandboxed: true,
			args:     []string{"--profile", "cognito,confirm", "--env", "AWS_LAMBDA_EXEC_WRAPPER=/var/task/wrapper.sh"},
			files:    map[string]string{"wrapper.sh": wrapper, "lambda_function.py": "import os\ndef lambda_handler(event, context):\n    event['response']['autoConfirmUser'] = os.environ['POLICY_CONFIRM'] == '1'\n    return event\n"},
			wantExit: 0, within: 60 * time.Second},
		{name: "Node.js: AWS_LAMBDA_EXEC_WRAPPER starts the runtime, as on Lambda", runtime: "nodejs22.x", sandboxed: true,
			args:     []string{"--profile", "cognito,confirm", "--env", "AWS_LAMBDA_EXEC_WRAPPER=/var/task/wrapper.sh"},
			files:    map[string]string{"wrapper.sh": wrapper, "index.mjs": "export const handler = async (event) => { event.response.autoConfirmUser = process.env.POLICY_CONFIRM === '1'; return event; };\n"},
			wantExit: 0, within: 60 * time.Second},
		{name: "a missing AWS_LAMBDA_EXEC_WRAPPER fails the runtime's start, as on Lambda", runtime: "python3.11", sandboxed: true,
			args:  []string{"--profile", "cognito,confirm", "--env", "AWS_LAMBDA_EXEC_WRAPPER=/var/task/nope.sh"},
			files: map[string]string{"lambda_function.py": confirmPy}, wantExit: 2, want: []string{"/var/task/nope.sh: does not exist"}, within: 30 * time.Second},
		{name: "Python: a Decimal in the answer is a number, and the context has Lambda's identity and client context", runtime: "python3.12", args: []string{"--profile", "cognito,confirm"},
			files: map[string]string{"lambda_function.py": "import decimal\ndef lambda_handler(event, context):\n    if context.identity.cognito_identity_id is not None or context.client_context is not None:\n        raise RuntimeError('context')\n" +
				"    event['request']['score'] = decimal.Decimal('1.5')\n    event['response']['autoConfirmUser'] = True\n    return event\n"},
			wantExit: 0, within: 60 * time.Second},
		{name: "a function's 1,100th thread is refused, as Lambda refuses past 1,024", runtime: "python3.11", args: []string{"--profile", "cognito,confirm"}, pids: true,
			files: map[string]string{"lambda_function.py": "import threading\ndef lambda_handler(event, context):\n    ev = threading.Event()\n    try:\n        for i in range(1100):\n" +
				"            threading.Thread(target=ev.wait).start()\n    finally:\n        ev.set()\n    event['response']['autoConfirmUser'] = True\n    return event\n"},
			wantExit: 1, want: []string{"can't start new thread", "refused past that by a pids cgroup"}, within: 90 * time.Second},
		{name: "a handler that renices itself and reads its own limits by its pid passes, as on Lambda", runtime: "python3.11", args: []string{"--profile", "cognito,confirm"},
			files: map[string]string{"lambda_function.py": "import os, resource\ndef lambda_handler(event, context):\n    os.setpriority(os.PRIO_PROCESS, os.getpid(), 10)\n" +
				"    resource.prlimit(os.getpid(), resource.RLIMIT_NOFILE)\n    event['response']['autoConfirmUser'] = True\n    return event\n"},
			wantExit: 0, within: 60 * time.Second},
		{name: "an answer posted as the invocation's error is a function error, as on Lambda", runtime: "provided.al2023", args: []string{"--profile", "cognito,confirm", "--env", "USE_OWN=1", "--env", "POST_TO=error"}, sandboxed: true,
			files: map[string]string{"bootstrap": aroundRuntime}, wantExit: 1, want: []string{"Unhandled", "the runtime posted this invocation's error"}, within: 60 * time.Second},
		{name: "the function can neither remove nor add the forwarder's sockets", runtime: "python3.11", args: []string{"--profile", "cognito,confirm"}, sandboxed: true,
			files: map[string]string{"lambda_function.py": socketsKept}, wantExit: 0, within: 60 * time.Second},
	}
	// Fetching a runtime the first time takes minutes (Node.js, the native
	// build of aws-lambda-ric, esbuild); the budgets below are for a warm
	// cache, so each runtime is fetched first.
	warm := t.TempDir()
	os.WriteFile(filepath.Join(warm, "index.mjs"), []byte("export const handler = async (event) => event;\n"), 0o644)
	os.WriteFile(filepath.Join(warm, "handler.ts"), []byte("export const handler = async (event: unknown) => event;\n"), 0o644)
	for _, rt := range []string{"nodejs20.x", "nodejs22.x", "nodejs24.x"} {
		cmd := exec.CommandContext(ctx, runner, "local", "--runtime", rt, "--code", warm, "--handler", "handler.handler", "--profile", "cognito", "--report-dir", t.TempDir())
		cmd.Dir = root(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("fetching %s: %v\n%s", rt, err, out)
		}
	}
	// Where user namespaces work, every run is sandboxed.
	userns := exec.CommandContext(ctx, "unshare", "--user", "--pid", "--mount", "true").Run() == nil
	_, noCgroup := memcg.Find("")
	_, noPids := memcg.FindPids("")
	landlockABI, _ := ll.LandlockGetABIVersion()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.sandboxed && (!userns || landlockABI < 6) {
				t.Skipf("no sandbox with Landlock's scopes here (user namespaces %v, Landlock ABI %d); the run says so (TestDescribeSaysWhatIsConfined)", userns, landlockABI)
			}
			if c.pids && (noPids != nil || !userns) {
				t.Skipf("no sandbox with a pids cgroup here (%v); the run says so", noPids)
			}
			if c.cgroup && (noCgroup != nil || !userns) {
				// Without one, the run says that memory is counted per process
				// (TestDescribeSaysHowMemoryIsCounted), and this memory is not.
				t.Skipf("no sandbox with a memory cgroup here (%v); it is what counts this memory", noCgroup)
			}
			code := c.code
			if code == "" {
				code = t.TempDir()
				for name, content := range c.files {
					os.MkdirAll(filepath.Dir(filepath.Join(code, name)), 0o755)
					os.WriteFile(filepath.Join(code, name), []byte(content), 0o755)
				}
			} else {
				code = filepath.Join(root(t), code)
			}
			if c.npmCI {
				code = npmCI(t, ctx, code)
			}
			reports := t.TempDir()
			args := []string{"local", "--runtime", c.runtime, "--code", code, "--report-dir", reports}
			if c.handler != "" {
				args = append(args, "--handler", c.handler)
			}
			tmp := privateTemp(t)
			start := time.Now()
			cmd := exec.CommandContext(ctx, runner, append(args, c.args...)...)
			cmd.Dir = root(t)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "PROFILE=", "TAGS=", "AUTOCONFIRM_E2E_HOST_ONLY=1", "AWS_ACCESS_KEY_ID=AKIAHOSTCREDENTIAL00", "AWS_SECRET_ACCESS_KEY=host")
			out, _ := cmd.CombinedOutput()
			took := time.Since(start)
			if got := cmd.ProcessState.ExitCode(); got != c.wantExit {
				t.Errorf("exit %d, want %d", got, c.wantExit)
			}
			for _, w := range c.want {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("the output lacks %q", w)
				}
			}
			for _, w := range c.absent {
				if bytes.Contains(out, []byte(w)) {
					t.Errorf("the output shows %q, which the handler must not reach", w)
				}
			}
			if len(c.wantOne) > 0 && !slices.ContainsFunc(c.wantOne, func(w string) bool { return bytes.Contains(out, []byte(w)) }) {
				t.Errorf("the output has none of %q", c.wantOne)
			}
			for _, w := range c.inReports {
				for _, f := range []string{"pool/run.json", "lambda/run.json", "report.html"} {
					if b, _ := os.ReadFile(filepath.Join(reports, f)); !bytes.Contains(b, []byte(w)) {
						t.Errorf("%s lacks %q", f, w)
					}
				}
			}
			if userns && bytes.Contains(out, []byte("not sandboxed")) {
				t.Errorf("user namespaces work here (unshare --user --pid --mount true), and the run was not sandboxed")
			}
			if took > c.within {
				t.Errorf("took %s, more than %s", took.Round(time.Millisecond), c.within)
			}
			leftovers(t, tmp)
			if t.Failed() {
				t.Logf("the run said:\n%s", out)
			}
		})
	}
}

// TestSignalsEndTheRun: SIGTERM or SIGHUP in the middle of a run, and a
// reader that goes away (local … | head), end the run with nothing left
// behind; the signals with exit 130.
func TestSignalsEndTheRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	code := filepath.Join(root(t), "testdata/impls/article-python")
	args := []string{"local", "--runtime", "python3.11", "--code", code, "--report-dir", t.TempDir()}

	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := privateTemp(t)
			cmd := exec.CommandContext(ctx, runner, args...)
			cmd.Dir = root(t)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			stdout, _ := cmd.StdoutPipe()
			cmd.Stderr = cmd.Stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "running the scenarios against the pool target") {
					cmd.Process.Signal(sig)
					break
				}
			}
			for sc.Scan() {
			}
			err := cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 130 {
				t.Errorf("after %s: %v, want exit 130", sig, err)
			}
			leftovers(t, tmp)
		})
	}
	t.Run("an emulator that crashes", func(t *testing.T) {
		tmp := privateTemp(t)
		cmd := exec.CommandContext(ctx, runner, args...)
		cmd.Dir = root(t)
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		var out bytes.Buffer
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "running the scenarios against the pool target") {
				killEmulator(t, cmd.Process.Pid)
				break
			}
		}
		for sc.Scan() {
		}
		err := cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(out.String(), "Runtime Interface Emulator crashed") {
			t.Errorf("after the emulator died: %v, want exit 2 naming the crash; stderr:\n%s", err, out.String())
		}
		leftovers(t, tmp)
	})
	t.Run("SIGPIPE", func(t *testing.T) {
		tmp := privateTemp(t)
		cmd := exec.CommandContext(ctx, "sh", "-c", `"$0" "$@" | head -n 3`, runner)
		cmd.Args = append(cmd.Args, args...)
		cmd.Dir = root(t)
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%v: %s", err, out)
		}
		if took := time.Since(start); took > 90*time.Second {
			t.Errorf("the pipeline took %s after head left", took)
		}
		leftovers(t, tmp)
	})
}

// privateTemp is a TMPDIR of the test's own, so that whatever a run leaves
// behind is found there, whatever else runs on the machine.
func privateTemp(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "autoconfirm-e2e-tmp-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// leftovers fails when a run left anything in its TMPDIR, or a process that
// runs from there or names it.
func leftovers(t *testing.T, tmp string) {
	t.Helper()
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		t.Errorf("left %s in its TMPDIR", e.Name())
	}
	for pid, cmdline := range processes(func(cmdline, cwd string) bool {
		return strings.Contains(cmdline, tmp) || strings.HasPrefix(cwd, tmp)
	}) {
		t.Errorf("left process %d running: %s", pid, cmdline)
	}
}

// processes returns the running processes that match, by pid, with their
// command lines.
func processes(match func(cmdline, cwd string) bool) map[int]string {
	out := map[int]string{}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		b, _ := os.ReadFile(filepath.Join(p, "cmdline"))
		cwd, _ := os.Readlink(filepath.Join(p, "cwd"))
		cmdline := strings.ReplaceAll(string(b), "\x00", " ")
		if match(cmdline, cwd) {
			pid, _ := strconv.Atoi(filepath.Base(p))
			out[pid] = cmdline
		}
	}
	return out
}

// npmCI copies a code directory and installs its node_modules from its lock,
// as a team's build would before deploying.
func npmCI(t *testing.T, ctx context.Context, code string) string {
	t.Helper()
	dst := t.TempDir()
	if out, err := exec.CommandContext(ctx, "cp", "-R", code+"/.", dst).CombinedOutput(); err != nil {
		t.Fatalf("copying %s: %v: %s", code, err, out)
	}
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dst
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v: %s", code, err, out)
	}
	return dst
}

// killEmulator kills the emulator that the run with pid started, as a
// crash would. The run keeps its TMPDIR to itself, so the emulator is
// found among the run's descendants.
func killEmulator(t *testing.T, run int) {
	t.Helper()
	for pid, cmdline := range descendants(run) {
		if strings.Contains(cmdline, "--runtime-interface-emulator-address") {
			syscall.Kill(pid, syscall.SIGKILL)
			return
		}
	}
	t.Fatal("found no emulator to kill")
}
