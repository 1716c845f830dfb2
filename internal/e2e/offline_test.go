//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/runtimes"
)

// hostileSecrets are the runner's own variables, as a CI job or a
// developer's shell holds them; none may reach a process the run starts.
var hostileSecrets = map[string]string{
	"AWS_ACCESS_KEY_ID":     "AKIAHOSTILE000000000",
	"AWS_SECRET_ACCESS_KEY": "hostile/secret/access/key",
	"AWS_SESSION_TOKEN":     "hostile-session-token",
	"GITHUB_TOKEN":          "ghp_hostile0000000000000000000000000000",
	"COGNITO_CLIENT_SECRET": "hostile-client-secret",
	"HOSTILE_MARK":          "hostile-mark-value",
}

// TestRunnerStaysOnMachine runs `local` as a host with a hostile AWS setup
// would: ~/.aws/config ignores endpoint variables, names an endpoint and a
// credential_process, a profile has real-looking keys, the runner's
// environment holds AWS keys, GITHUB_TOKEN and COGNITO_CLIENT_SECRET, and a
// proxy records any call that leaves the machine. The run passes, nothing
// reaches the recorder, the credential_process never runs, and no process
// the run starts (cognito-local, the emulator, the handler) holds the
// secrets; the depths run in the runner's own process. The handler's calls
// are answered as a role scoped to its pool: it fails every sign-up unless CreateUserPool, ListUserPools and
// UpdateUserPool are denied, and a ListUsers on another pool is denied and
// ends the run as a setup error.
func TestRunnerStaysOnMachine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	var mu sync.Mutex
	var strays []string
	recorder := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		strays = append(strays, r.Method+" "+r.Host+r.URL.Path)
		mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
	}))
	defer recorder.Close()
	marker := filepath.Join(t.TempDir(), "credential_process-ran")
	home := hostileAWSHome(t, recorder.URL, marker)
	env := hostileEnv(t, ctx, home, recorder.URL)
	const code = "testdata/impls/scoped-node"
	args := []string{"local", "--runtime", "nodejs22.x", "--code", code, "--profile", "cognito"}

	t.Run("a run under a hostile AWS configuration", func(t *testing.T) {
		cmd := exec.CommandContext(ctx, runner, append(args, "--report-dir", t.TempDir())...)
		cmd.Dir, cmd.Env = root(t), env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		var seen map[string]int
		var leaks []string
		go func() { seen, leaks = watchEnvirons(cmd.Process.Pid, done, home); close(done) }()
		cmd.Wait()
		done <- struct{}{}
		<-done
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("exit %d, want 0: the run's calls or the handler's were not answered locally", code)
		}
		if want := "local: the handler called cognito-idp:CreateUserPool, which an execution role scoped to the run's pool is denied"; !strings.Contains(out.String(), want) {
			t.Errorf("the run did not say %q", want)
		}
		t.Logf("environments read, by process: %v", seen)
		for _, kind := range []string{"cognito-local", "emulator", "handler"} {
			if seen[kind] == 0 {
				t.Errorf("never read the environment of a %s process", kind)
			}
		}
		for _, l := range leaks {
			t.Errorf("the runner's secrets reached a process it started: %s", l)
		}
		mu.Lock()
		for _, s := range strays {
			t.Errorf("a call left the machine: %s", s)
		}
		mu.Unlock()
		if _, err := os.Stat(marker); err == nil {
			t.Error("the host's credential_process ran")
		}
		if t.Failed() || testing.Verbose() {
			t.Logf("the run said:\n%s", out.String())
		}
	})

	t.Run("ListUsers on another pool", func(t *testing.T) {
		cmd := exec.CommandContext(ctx, runner, append(args, "--report-dir", t.TempDir(), "--verbose", "--env", "OTHER_POOL=us-east-1_other")...)
		cmd.Dir, cmd.Env = root(t), env
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		for _, want := range []string{"ListUsers on another pool: AccessDeniedException",
			"the handler called Cognito's ListUsers for user pool us-east-1_other, which is not the pool under test",
			"OTHER_POOL holds us-east-1_other: give --env OTHER_POOL=@pool-id"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("the output lacks %q", want)
			}
		}
		if t.Failed() {
			t.Logf("the run said:\n%s", out)
		}
	})
}

// hostileAWSHome is a HOME whose AWS files would take an SDK's calls off
// the machine: the default profile ignores endpoint variables and runs a
// credential_process that leaves marker; another names recorder as its
// endpoint; the credentials file holds real-looking keys.
func hostileAWSHome(t *testing.T, recorder, marker string) string {
	t.Helper()
	home := t.TempDir()
	dir := filepath.Join(home, ".aws")
	process := filepath.Join(home, "credentials.sh")
	files := map[string]string{
		process: "#!/bin/sh\ntouch " + marker + "\necho '{\"Version\":1,\"AccessKeyId\":\"AKIAPROCESS000000000\",\"SecretAccessKey\":\"x\"}'\n",
		filepath.Join(dir, "config"): "[default]\nregion = eu-west-1\nignore_configured_endpoint_urls = true\ncredential_process = " + process + "\n\n" +
			"[profile hostile]\nregion = eu-west-1\nendpoint_url = " + recorder + "\ncredential_process = " + process + "\n",
		filepath.Join(dir, "credentials"): "[default]\naws_access_key_id = AKIAHOSTILEFILE00000\naws_secret_access_key = hostile-file-secret\n",
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for path, text := range files {
		if err := os.WriteFile(path, []byte(text), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return home
}

// hostileEnv is this process's environment with the hostile HOME, the
// secrets, and a proxy that records what would leave the machine. The tools
// `local` fetches are named where this test finds them, so that the hostile
// HOME needs no fetch.
func hostileEnv(t *testing.T, ctx context.Context, home, recorder string) []string {
	t.Helper()
	cache, err := runtimes.DefaultCacheDir(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "aws-lambda-rie")
	cmd.Dir = root(t)
	rie, err := cmd.Output()
	if err != nil {
		t.Fatalf("go tool -n aws-lambda-rie: %v", err)
	}
	env := append(os.Environ(), "HOME="+home, "AUTOCONFIRM_CACHE="+cache, "AWS_LAMBDA_RIE="+strings.TrimSpace(string(rie)),
		"HTTPS_PROXY="+recorder, "HTTP_PROXY="+recorder, "NO_PROXY=", "AWS_PROFILE=", "AWS_CONFIG_FILE=", "AWS_SHARED_CREDENTIALS_FILE=",
		"AWS_REGION=", "AWS_DEFAULT_REGION=", "PROFILE=", "TAGS=", "ALIAS_POLICY=", "ALIAS_LOOKUP=")
	for k, v := range hostileSecrets {
		env = append(env, k+"="+v)
	}
	return env
}

// watchEnvirons reads, until told on done, the environment of every process
// descended from root, and returns how many it read of each kind and where
// a secret, or the hostile HOME, was found.
func watchEnvirons(root int, done chan struct{}, home string) (map[string]int, []string) {
	seen := map[string]int{}
	found := map[string]bool{}
	var leaks []string
	read := map[int]bool{}
	for {
		parents := map[int]int{}
		cmdlines := map[int]string{}
		procs, _ := filepath.Glob("/proc/[0-9]*")
		for _, p := range procs {
			pid, _ := strconv.Atoi(filepath.Base(p))
			stat, err := os.ReadFile(filepath.Join(p, "stat"))
			if err != nil {
				continue
			}
			fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
			if len(fields) > 1 {
				parents[pid], _ = strconv.Atoi(fields[1])
			}
			b, _ := os.ReadFile(filepath.Join(p, "cmdline"))
			cmdlines[pid] = strings.ReplaceAll(string(b), "\x00", " ")
		}
		for pid := range parents {
			kind, ok := descent(pid, root, parents, cmdlines)
			// A fork of the runner that has not yet exec'd shows the
			// runner's own environment and command line.
			if !ok || read[pid] || cmdlines[pid] == cmdlines[root] {
				continue
			}
			environ, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
			if err != nil || len(environ) == 0 {
				continue // gone, or not yet exec'd
			}
			read[pid] = true
			seen[kind]++
			for _, kv := range strings.Split(string(environ), "\x00") {
				k, v, _ := strings.Cut(kv, "=")
				leak := v == home && k == "HOME"
				for _, s := range hostileSecrets {
					leak = leak || strings.Contains(v, s)
				}
				if leak && !found[kind+k] {
					found[kind+k] = true
					leaks = append(leaks, kind+" ("+cmdlines[pid]+") holds "+k)
				}
			}
		}
		select {
		case <-done:
			return seen, leaks
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// descent says whether pid descends from root, and of what kind it is: a
// process under the emulator is the handler's.
func descent(pid, root int, parents map[int]int, cmdlines map[int]string) (string, bool) {
	kind := ""
	for p := pid; p > 1; p = parents[p] {
		if p == root {
			if pid == root {
				return "", false // the runner itself holds them: they are its own
			}
			return kind, kind != ""
		}
		c := cmdlines[p]
		switch {
		case strings.Contains(c, "--runtime-interface-emulator-address"):
			kind = map[bool]string{true: "emulator", false: "handler"}[p == pid]
		case kind != "":
		case strings.Contains(c, "cognito-local"):
			kind = "cognito-local"
		default:
			kind = "other"
		}
	}
	return "", false
}
