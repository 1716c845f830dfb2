package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// hostileHome writes an AWS configuration that would take a run's calls off
// the machine: endpoint variables ignored, endpoints and a proxy pointed at
// recorder, a credential_process that leaves marker, real-looking keys.
func hostileHome(t *testing.T, recorder, marker string) string {
	t.Helper()
	home := t.TempDir()
	aws := filepath.Join(home, ".aws")
	if err := os.Mkdir(aws, 0o700); err != nil {
		t.Fatal(err)
	}
	process := filepath.Join(home, "credentials.sh")
	script := "#!/bin/sh\ntouch " + marker + "\necho '{\"Version\":1,\"AccessKeyId\":\"AKIAPROCESS000000000\",\"SecretAccessKey\":\"x\"}'\n"
	if err := os.WriteFile(process, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"config": "[default]\nregion = eu-west-1\nignore_configured_endpoint_urls = true\ncredential_process = " + process + "\n\n" +
			"[profile hostile]\nregion = eu-west-1\nendpoint_url = " + recorder + "\ncredential_process = " + process + "\n",
		"credentials": "[hostile]\naws_access_key_id = AKIAHOSTILE000000000\naws_secret_access_key = hostile-secret\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(aws, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return home
}

// TestLocalRunReadsNoAWSConfiguration: under --emulator autoconfirm-local a
// run's clients go to the endpoints its flags name, signed with dummy
// credentials, whatever the host's AWS configuration and variables say; and
// it refuses to run without them, or with an endpoint off the machine.
func TestLocalRunReadsNoAWSConfiguration(t *testing.T) {
	var mu sync.Mutex
	var strays, credentials []string
	recorder := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		strays = append(strays, r.Method+" "+r.Host+r.URL.Path)
		mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
	}))
	defer recorder.Close()
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		credentials = append(credentials, strings.SplitN(r.Header.Get("Authorization"), "/", 2)[0])
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	defer local.Close()
	marker := filepath.Join(t.TempDir(), "credential_process-ran")
	home := hostileHome(t, recorder.URL, marker)
	// The SDK reads HOME once, when it loads; its files are named too.
	t.Setenv("HOME", home)
	for k, v := range map[string]string{"AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(home, ".aws", "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, ".aws", "credentials"),
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"HTTPS_PROXY": recorder.URL, "HTTP_PROXY": recorder.URL, "NO_PROXY": "",
		"AWS_ENDPOINT_URL": recorder.URL, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": recorder.URL, "AWS_ENDPOINT_URL_LAMBDA": recorder.URL} {
		t.Setenv(k, v)
	}
	namer, _ := targets.NewNamer("t1")
	base := suiteOptions{target: "lambda", poolID: "us-east-1_Local", function: "PreSignUp", policy: "skip-verify", lookup: "admin-get-user", emulator: "autoconfirm-local"}
	for _, tt := range []struct {
		name              string
		cognito, lambda   string
		profile, emulator string
		err               string
	}{
		{name: "the default profile", cognito: local.URL, lambda: local.URL},
		{name: "a hostile AWS_PROFILE", cognito: local.URL, lambda: local.URL, profile: "hostile"},
		{name: "no endpoints", err: "needs --cognito-endpoint and --lambda-endpoint"},
		{name: "an endpoint off the machine", cognito: "https://cognito-idp.us-east-1.amazonaws.com", lambda: local.URL, err: "not on this machine"},
		{name: "endpoints without the emulator", cognito: local.URL, lambda: local.URL, emulator: "-", err: "are for --emulator autoconfirm-local"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_PROFILE", tt.profile)
			o := base
			o.cognitoEndpoint, o.lambdaEndpoint = tt.cognito, tt.lambda
			if tt.emulator == "-" {
				o.emulator = ""
			}
			credentials = nil
			target, closer, err := buildTarget(context.Background(), o, func(string) string { return "" }, namer, func(string) {})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || target == nil {
				t.Fatalf("%v", err)
			}
			if closer != nil {
				closer(context.Background())
			}
			if len(credentials) == 0 {
				t.Error("no call reached the local endpoints")
			}
			for _, c := range credentials {
				if c != "AWS4-HMAC-SHA256 Credential=local" {
					t.Errorf("a call was signed with %q, not the dummy credentials", c)
				}
			}
		})
	}
	if len(strays) > 0 {
		t.Errorf("calls left for the host's endpoints: %q", strays)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the host's credential_process ran")
	}
}
