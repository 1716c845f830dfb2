package local

import (
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"time"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
	"github.com/autoconfirm/autoconfirm/internal/local/gateway"
	"github.com/autoconfirm/autoconfirm/internal/local/runtimes"
	"github.com/autoconfirm/autoconfirm/internal/local/stack"
)

// describe says what runs where, and what differs from Cognito and Lambda,
// each once: the sandbox and every difference from Lambda here, and no more
// at the end. The stack's addresses, and the whole notice of how the local
// pool differs from Cognito, are for --verbose.
func (r *run) describe(st *stack.Stack) {
	r.say("%s; %s, timeout %s", r.code, r.fn.Interpreter, r.timeout())
	r.say("%s", r.sandboxed())
	for _, d := range r.fn.Differences {
		r.say("NOT AS ON LAMBDA: %s", d)
	}
	if r.timeout() > gateway.CognitoAttempt {
		r.say("warning: the function's timeout, %s, is longer than Cognito waits (%s an attempt): a sign-up that takes longer is retried, and fails after three attempts, while the function goes on running", r.timeout(), gateway.CognitoAttempt)
	}
	if r.o.Verbose {
		r.say("Cognito's invocations go through a gateway at %s (%s an attempt, %d attempts)", st.GatewayURL, gateway.CognitoAttempt, gateway.CognitoAttempts)
		r.say("cognito-local at %s, pool %s (%s), app client with a secret; the handler reaches it at %s, where AdminGetUser resolves the pool's verified aliases and its username attributes", st.CognitoURL, st.PoolID, r.shape(), st.TriggerCognitoURL)
		r.say("the handler's environment is Lambda's, built afresh: region %s, dummy credentials, every other AWS service refused by name at %s", stack.Region, st.OtherServicesURL)
	}
	if r.hostOnly {
		return
	}
	r.say("%s", ValuesNotice)
	r.say("%s", RoleNotice)
	r.notice()
}

// describe names what a local run judges, for the reports: the runtime, the
// handler, and the code's identity as Lambda names it, CodeSha256, the
// base64 SHA-256 of the deterministic zip `make package` writes. It also
// returns what was zipped, and the configuration that Lambda's
// GetFunctionConfiguration would give for that zip.
func describe(rt runtimes.Runtime, code, handler string) (string, string, *gateway.Configuration, error) {
	abs, err := filepath.Abs(code)
	if err != nil {
		return "", "", nil, err
	}
	root := abs
	if rt.Kind == runtimes.Provided {
		root = filepath.Join(abs, "bootstrap") // what runs, symlink or not
		if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
			if entries, err := os.ReadDir(abs); err == nil && (len(entries) != 1 || entries[0].Name() != "bootstrap") {
				root = abs // a bootstrap with files beside it, or in a layer
			}
		}
	}
	id, err := codezip.Of(root)
	if err != nil {
		return "", "", nil, fmt.Errorf("naming the code: %w", err)
	}
	what := "bootstrap"
	if handler == "" {
		handler = rt.DefaultHandler()
	}
	if rt.Kind != runtimes.Provided {
		what = "handler " + handler
	}
	arch := map[string]string{"amd64": "x86_64", "arm64": "arm64"}[goruntime.GOARCH]
	cfg := &gateway.Configuration{Runtime: rt.Name, Handler: handler, CodeSha256: id.CodeSha256, CodeSize: id.Size,
		MemorySize: 128, Architectures: []string{arch}, PackageType: "Zip", LastModified: time.Now().UTC().Format("2006-01-02T15:04:05.000-0700")}
	return fmt.Sprintf("%s, %s in %s (%s), under the Lambda Runtime Interface Emulator", rt.Name, what, abs, id), root, cfg, nil
}
