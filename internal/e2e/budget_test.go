//go:build e2e

package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/memcg"
)

// fill505 writes 505 MB to /tmp, within Lambda's default 512 MB, and
// confirms: correct on Lambda, where /tmp is not the machine's memory.
const fill505 = "def lambda_handler(event, context):\n    with open('/tmp/fill', 'wb') as f:\n        for i in range(505):\n            f.write(b'z' * (1 << 20))\n" +
	"    event['response']['autoConfirmUser'] = True\n    return event\n"

// TestRunFitsThisMachine: a run's environments together hold at most what
// the run may take of this machine's memory, and a run that needs more
// stops as a setup error that says so, not as the function's failure (red
// team round 20: one slow sign-up held 4.3 GB of /tmp in four
// environments). The runner is started in a memory cgroup of 700 MB, as on
// a small machine.
func TestRunFitsThisMachine(t *testing.T) {
	p, err := memcg.Find("")
	if errors.Is(err, memcg.ErrUnavailable) {
		t.Skipf("no writable memory cgroup here, so no machine can be made small: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	small, err := p.Within("e2e-small-machine", 700<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer small.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runner := gobuild(t, ctx, t.TempDir(), "cmd/autoconfirm-conformance", false)
	code, reports, tmp := t.TempDir(), t.TempDir(), privateTemp(t)
	os.WriteFile(filepath.Join(code, "lambda_function.py"), []byte(fill505), 0o644)
	cmd := exec.CommandContext(ctx, "sh", "-c", `echo $$ > "$1/cgroup.procs" && shift && exec "$@"`, "sh", small.Dir(),
		runner, "local", "--runtime", "python3.11", "--code", code, "--report-dir", reports, "--profile", "cognito,confirm")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "PROFILE=", "TAGS=")
	out, _ := cmd.CombinedOutput()
	if got := cmd.ProcessState.ExitCode(); got != 2 {
		t.Errorf("exit %d, want 2", got)
	}
	for _, want := range []string{"all the environments together, Cognito's retries included, may hold at most", "this machine ran out of memory for the run"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the output does not say %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
	leftovers(t, tmp)
}
