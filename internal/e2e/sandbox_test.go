//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sandboxProbe is a handler that attacks its host at init, as a red team's
// did, and refuses every sign-up, naming each attack that got through, so a
// run passes only when each one met what Lambda would give it. The test
// passes it the host's secret, reversed (HOST_SECRET_REVERSED), a credentials file's path
// (CREDENTIALS) and a writable directory of the host's (HOST_DIR).
const sandboxProbe = `import ctypes, errno, json, os

problems = []

def expect(what, ok):
    if not ok:
        problems.append(what)

# Reversed, so that its own environment (which its emulator shares) holds
# no copy of it.
secret = os.environ['HOST_SECRET_REVERSED'][::-1].encode()
for pid in [p for p in os.listdir('/proc') if p.isdigit()]:
    try:
        with open('/proc/%s/environ' % pid, 'rb') as f:
            expect('read the host secret in /proc/%s/environ' % pid, secret not in f.read())
        with open('/proc/%s/cmdline' % pid, 'rb') as f:
            cmd = f.read()
        expect('saw a host process: %r' % cmd[:80], b'autoconfirm-conformance' not in cmd and b'cognito-local' not in cmd)
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
pids = [p for p in os.listdir('/proc') if p.isdigit()]
expect('saw %d processes, more than its own environment runs' % len(pids), len(pids) <= 8)

try:
    with open(os.environ['CREDENTIALS']) as f:
        problems.append('read the host credentials: %s' % f.read()[:20])
except OSError:
    pass

for path in ('/var/task/written', os.path.join(os.environ['HOST_DIR'], 'written')):
    try:
        with open(path, 'w') as f:
            f.write('changed')
        problems.append('wrote %s' % path)
    except OSError:
        pass

# A second red team's: the host's kernel knobs through a uid that maps to
# the host's root (E1), a nested user namespace whose tmpfs passes /tmp's
# cap (E2), and the bridge's directory of the host's, unbounded, whose
# sockets the host dials (E3). The sysctl is written its own value back.
import subprocess
try:
    with open('/proc/sys/vm/overcommit_ratio') as f:
        ratio = f.read()
    with open('/proc/sys/vm/overcommit_ratio', 'w') as f:
        f.write(ratio)
    problems.append('wrote the host\'s sysctl vm.overcommit_ratio')
except OSError:
    pass
with open('/proc/self/status') as f:
    caps = [l.split()[1] for l in f if l.startswith('CapEff:')]
expect('holds capabilities %s' % caps, caps == ['0000000000000000'])
expect('made a user namespace of its own', subprocess.run(['unshare', '-U', 'true'], capture_output=True).returncode != 0)
if os.path.isdir('/var/rapid/net'):
    for name in os.listdir('/var/rapid/net'):
        try:
            os.rename('/var/rapid/net/' + name, '/var/rapid/net/' + name + '.moved')
            problems.append('moved the bridge\'s socket %s' % name)
        except OSError:
            pass
    try:
        with open('/var/rapid/net/written', 'wb') as f:
            f.write(b'x')
        problems.append('wrote into the bridge\'s host directory')
    except OSError:
        pass
if os.path.isdir('/var/rapid/sock'):
    try:
        with open('/var/rapid/sock/fill', 'wb') as f:
            f.write(b'\0' * (2 << 20))
        problems.append('wrote 2 MiB beside its own sockets')
    except OSError:
        pass
    finally:
        if os.path.exists('/var/rapid/sock/fill'):
            os.remove('/var/rapid/sock/fill')

with open('policy.json') as f:
    expect('read policy.json by a relative path', json.load(f)['autoConfirm'] is True)
expect('cwd is %s, not /var/task' % os.getcwd(), os.getcwd() == '/var/task')
expect('LAMBDA_TASK_ROOT is %s' % os.environ.get('LAMBDA_TASK_ROOT'), os.environ.get('LAMBDA_TASK_ROOT') == '/var/task')
try:
    with open('/opt/layer.txt') as f:
        expect('read the layer by /opt', f.read() == 'from the layer\n')
except OSError as e:
    problems.append('no layer at /opt: %s' % e)
expect('uid %d, not Lambda\'s 993' % os.getuid(), os.getuid() == 993)

st = os.statvfs('/tmp')
expect('/tmp holds %d bytes, not 512 MiB' % (st.f_blocks * st.f_frsize), st.f_blocks * st.f_frsize == 512 << 20)
written, chunk = 0, b'\0' * (1 << 20)
try:
    if st.f_blocks * st.f_frsize != 512 << 20:
        raise RuntimeError('not filling a /tmp of another size')
    with open('/tmp/fill', 'wb') as f:
        while written < 600 << 20:
            f.write(chunk)
            f.flush()
            written += len(chunk)
    problems.append('wrote %d MiB to /tmp' % (written >> 20))
except RuntimeError:
    pass
except OSError as e:
    expect('writing /tmp failed with %s, not ENOSPC' % e, e.errno == errno.ENOSPC and written <= 512 << 20)
finally:
    if os.path.exists('/tmp/fill'):
        os.remove('/tmp/fill')

# Its network: of the loopback's listening sockets, it may reach only its
# own environment's (the emulator's two ports) and the endpoints it was
# given; the host's (HOST_PORT, the test's; cognito-local; the gateway) stay
# out of sight and reach, as on Lambda.
import socket, urllib.request, urllib.error

def port_of(url):
    return int(url.rsplit(':', 1)[1].strip('/'))

given = {port_of(os.environ['AWS_ENDPOINT_URL']), port_of(os.environ['AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER']),
         port_of(os.environ['AWS_LAMBDA_RUNTIME_API'])}
listening = set()
for table in ('/proc/net/tcp', '/proc/net/tcp6'):
    try:
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == '0A':
                    listening.add(int(fields[1].split(':')[1], 16))
    except OSError:
        pass
host_port = int(os.environ['HOST_PORT'])
expect('saw the host\'s port %d listening' % host_port, host_port not in listening)
try:
    socket.create_connection(('127.0.0.1', host_port), timeout=1).close()
    problems.append('connected to the host\'s port %d' % host_port)
except OSError:
    pass
own = listening - given
expect('saw %d listening ports besides those given, more than its emulator\'s two: %s' % (len(own), sorted(own)), len(own) <= 2)

def cognito(url, op, body):
    req = urllib.request.Request(url + '/', data=json.dumps(body).encode(), method='POST', headers={
        'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.' + op,
        'Authorization': 'AWS4-HMAC-SHA256 Credential=ASIALOCALDUMMYKEY000/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00'})
    try:
        with urllib.request.urlopen(req, timeout=2) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (OSError, ValueError) as e:
        return 0, str(e)

for port in sorted(own):
    status, body = cognito('http://127.0.0.1:%d' % port, 'ListUserPools', {'MaxResults': 60})
    expect('port %d answered ListUserPools: %s' % (port, body[:80]), status != 200)
checked = []

def check_endpoints(pool):
    status, body = cognito(os.environ['AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER'], 'AdminGetUser', {'UserPoolId': pool, 'Username': 'nobody-network-check'})
    expect('AdminGetUser through its endpoint answered %d %s' % (status, body[:120]), status == 400 and 'UserNotFoundException' in body)
    status, body = cognito(os.environ['AWS_ENDPOINT_URL'], 'ListUserPools', {'MaxResults': 60})
    expect('the other services\' endpoint answered %d %s' % (status, body[:120]), status != 0 and 'not emulated' in body)

def lambda_handler(event, context):
    if not checked:
        checked.append(True)
        check_endpoints(event['userPoolId'])
    if problems:
        raise RuntimeError('escaped the sandbox: ' + '; '.join(problems))
    event['response']['autoConfirmUser'] = True
    return event
`

// TestSandboxAsLambda: a handler that reads other processes' environments,
// the runner's credentials file by path, writes to its code, fills /tmp,
// and scans the loopback for the host's ports (a test's own, cognito-local)
// meets what Lambda gives it, and still reaches its Cognito endpoint; every report says "sandboxed". Where user
// namespaces work (unshare succeeds), a run that says "not sandboxed"
// fails; with AUTOCONFIRM_SANDBOX=off the run still judges, and says "not
// sandboxed" in its output, run.json and report.html.
func TestSandboxAsLambda(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	userns := exec.CommandContext(ctx, "unshare", "--user", "--pid", "--mount", "true").Run() == nil
	code, layer, home, hostDir := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(code, "lambda_function.py"), []byte(sandboxProbe), 0o644)
	os.WriteFile(filepath.Join(code, "policy.json"), []byte(`{"autoConfirm": true}`), 0o644)
	os.WriteFile(filepath.Join(layer, "layer.txt"), []byte("from the layer\n"), 0o644)
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	creds := filepath.Join(home, ".aws", "credentials")
	os.WriteFile(creds, []byte("[default]\naws_access_key_id = AKIAHOSTSECRET000000\naws_secret_access_key = host-secret-key\n"), 0o600)
	// HOME moves to hold the credentials; the fetched tools and Go's
	// caches (the emulator is built into them) stay where they are.
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	goEnv, err := exec.CommandContext(ctx, "go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatal(err)
	}
	keep := strings.Fields(string(goEnv))
	const secret = "host-secret-7f3a9c"
	// A port of the host's: the sandboxed handler must neither see it
	// listening nor reach it.
	hostLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hostLn.Close()
	hostPort := strconv.Itoa(hostLn.Addr().(*net.TCPAddr).Port)
	for _, c := range []struct {
		name    string
		env     string
		want    string
		refuse  string
		exit    int
		escapes bool
	}{
		{name: "sandboxed", want: "sandboxed (bubblewrap", refuse: "not sandboxed", exit: 0},
		{name: "not sandboxed, on request", env: "AUTOCONFIRM_SANDBOX=off", want: "not sandboxed: AUTOCONFIRM_SANDBOX=off", exit: 1, escapes: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !userns && !c.escapes {
				t.Skip("unprivileged user namespaces are refused here (unshare --user --pid --mount true fails): no sandbox can be had; the other case checks that the run says so")
			}
			reports, tmp := t.TempDir(), privateTemp(t)
			cmd := exec.CommandContext(ctx, runner, "local", "--runtime", "python3.11", "--code", code, "--layer", layer, "--report-dir", reports, "--profile", "cognito",
				"--env", "HOST_SECRET_REVERSED="+reverse(secret), "--env", "CREDENTIALS="+creds, "--env", "HOST_DIR="+hostDir, "--env", "HOST_PORT="+hostPort)
			cmd.Dir = root(t)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "HOME="+home, "AUTOCONFIRM_CACHE="+filepath.Join(cache, "autoconfirm"),
				"GOCACHE="+keep[0], "GOMODCACHE="+keep[1], "GOPATH="+keep[2], "PROFILE=", "TAGS=", "AUTOCONFIRM_E2E_SECRET="+secret, c.env)
			out, _ := cmd.CombinedOutput()
			if got := cmd.ProcessState.ExitCode(); got != c.exit {
				t.Errorf("exit %d, want %d", got, c.exit)
			}
			if c.escapes && !bytes.Contains(out, []byte("escaped the sandbox")) {
				t.Errorf("unsandboxed, the handler's attacks should get through and be judged")
			}
			if _, err := os.Stat(filepath.Join(hostDir, "written")); err == nil && !c.escapes {
				t.Errorf("the handler wrote into the host's files")
			}
			os.Remove(filepath.Join(hostDir, "written"))
			for _, f := range []string{"", "run.json", "pool/run.json", "lambda/run.json", "report.html"} {
				b := out
				if f != "" {
					b, _ = os.ReadFile(filepath.Join(reports, f))
				}
				if !bytes.Contains(b, []byte(c.want)) || (c.refuse != "" && bytes.Contains(b, []byte(c.refuse))) {
					t.Errorf("%s does not say %q (or says %q)", nameOr(f, "the output"), c.want, c.refuse)
				}
			}
			var rec struct{ Sandbox string }
			b, _ := os.ReadFile(filepath.Join(reports, "run.json"))
			if json.Unmarshal(b, &rec); !strings.HasPrefix(rec.Sandbox, strings.Fields(c.want)[0]) {
				t.Errorf("run.json's sandbox is %q", rec.Sandbox)
			}
			if userns && strings.Contains(string(out), "not sandboxed") && !c.escapes {
				t.Errorf("user namespaces work here, and the run says it was not sandboxed")
			}
			leftovers(t, tmp)
			if t.Failed() {
				t.Logf("the run said:\n%s", out)
			}
		})
	}
}

func nameOr(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
