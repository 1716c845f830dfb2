package local

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/conformance"
	"github.com/autoconfirm/autoconfirm/internal/local/child"
	"github.com/autoconfirm/autoconfirm/internal/local/gateway"
	"github.com/autoconfirm/autoconfirm/internal/local/stack"
)

// warmUp invokes the handler once, as Cognito would, with an ordinary
// sign-up, before any scenario: a handler that cannot start is a setup
// error, quoted as the runtime reported it; one that cannot answer an
// ordinary sign-up in time fails at once; a slow cold start is reported.
func (r *run) warmUp(ctx context.Context, st *stack.Stack) (int, error) {
	res, attempts, took, err := st.Invoke(ctx, warmUpEvent(st.PoolID, st.ClientID))
	switch {
	case ctx.Err() != nil:
		return ExitInterrupted, nil
	case err != nil:
		if cerr := st.Err(); cerr != nil {
			err = cerr
		}
		return conformance.ExitUsage, fmt.Errorf("the first invocation, before any scenario, failed: %w", err)
	}
	errType := gjson.GetBytes(res.Body, "errorType").String()
	errMsg := gjson.GetBytes(res.Body, "errorMessage").String()
	switch {
	case res.Init || strings.HasPrefix(errType, "Runtime."):
		r.say("the handler cannot start, so no scenario was run")
		fmt.Fprintf(r.stderr, "local: the handler failed as Lambda would report it: %s: %s\n", errType, errMsg)
		fmt.Fprintf(r.stderr, "local: the runtime's log ends:\n%s\n", st.EmulatorLogTail(15))
		fmt.Fprintf(r.stderr, "local: check --code, --handler and --runtime, and that the code imports only what the runtime or its own directory provides; --verbose shows the runtime's log\n")
		return conformance.ExitUsage, nil
	case res.TimedOut:
		r.say("FAIL: the handler did not answer an ordinary sign-up in time (%s: %s); Cognito would fail every sign-up, so no scenario was run", errType, errMsg)
		return conformance.ExitFailed, nil
	}
	r.say("cold start and first answer took %.2fs (Cognito allows 5s an attempt, cold start included)", took.Seconds())
	if attempts > 1 {
		r.say("SLOW COLD START: the first sign-up got no answer within %s, so Cognito would have invoked the handler %d times for it", gateway.CognitoAttempt, attempts)
	}
	return conformance.ExitPass, nil
}

// warmUpEvent is an ordinary sign-up with an email address nobody holds.
func warmUpEvent(pool, client string) []byte {
	b, _ := json.Marshal(map[string]any{
		"version": "1", "region": stack.Region, "userPoolId": pool, "userName": "autoconfirm-warmup",
		"callerContext": map[string]string{"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client},
		"triggerSource": "PreSignUp_SignUp",
		"request":       map[string]any{"userAttributes": map[string]string{"email": "warmup@example.com"}, "validationData": nil},
		"response":      map[string]bool{"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false},
	})
	return b
}

// judge runs the scenarios through the runner against the pool and lambda
// targets. An emulator that crashes ends the run as a setup error.
func (r *run) judge(ctx context.Context, st *stack.Stack) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-st.Crashed():
			cancel()
		case <-ctx.Done():
		}
	}()
	status := conformance.ExitPass
	var dirs []string
	codes := map[string]int{}
	for _, target := range []string{"pool", "lambda"} {
		dir := filepath.Join(r.o.ReportDir, target)
		dirs = append(dirs, dir)
		r.say("running the scenarios against the %s target", target)
		code, err := child.Run(ctx, r.targetCommand(st, target, dir))
		if cerr := st.Err(); cerr != nil {
			return conformance.ExitUsage, fmt.Errorf("the run stopped: %w", cerr)
		}
		if ctx.Err() != nil {
			fmt.Fprintln(r.stderr, "local: interrupted; the stack is stopped and the run did not pass")
			return ExitInterrupted, nil
		}
		if err != nil {
			return conformance.ExitUsage, fmt.Errorf("running the %s target: %w", target, err)
		}
		r.say("%s target: exit %d", target, code)
		if code == ExitInterrupted { // its output broke, or someone signalled it
			fmt.Fprintln(r.stderr, "local: the run was interrupted; the stack is stopped and the run did not pass")
			return ExitInterrupted, nil
		}
		if code == conformance.ExitUsage {
			return conformance.ExitUsage, nil
		}
		codes[target] = code
	}
	status, err := r.verdict(codes)
	if err != nil {
		return conformance.ExitFailed, err
	}
	combined := filepath.Join(r.o.ReportDir, "report.html")
	if out, err := exec.CommandContext(ctx, r.o.Runner, append([]string{"report", "--out", combined}, dirs...)...).CombinedOutput(); err != nil {
		fmt.Fprintf(r.stderr, "local: combining the reports: %v: %s\n", err, out)
		return conformance.ExitFailed, nil
	}
	r.say("both targets in one report: %s", combined)
	return status, nil
}

// targetCommand runs this binary against one target of the stack.
func (r *run) targetCommand(st *stack.Stack, target, dir string) *exec.Cmd {
	o := r.o
	args := []string{"--target", target, "--pool-id", st.PoolID, "--alias-lookup", o.Lookup, "--alias-policy", o.Policy,
		"--emulator", "autoconfirm-local", "--format", "progress", "--concurrency", "4", "--no-colors",
		"--report-dir", dir, "--profile", o.Profile, "--implementation", r.impl}
	if target == "pool" {
		args = append(args, "--client-id", st.ClientID)
	} else {
		args = append(args, "--function", "PreSignUp")
	}
	for _, f := range [][2]string{{"--tags", o.Tags}, {"--features", o.Features}, {"--fixtures", o.Fixtures}} {
		if f[1] != "" {
			args = append(args, f[0], f[1])
		}
	}
	cmd := exec.Command(o.Runner, args...)
	cmd.Env = append(os.Environ(), "AWS_REGION="+stack.Region, "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_SESSION_TOKEN=",
		"AWS_PROFILE=", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+st.CognitoURL, "AWS_ENDPOINT_URL_LAMBDA="+st.GatewayURL,
		"COGNITO_CLIENT_SECRET="+st.Secret, "ALIAS_POLICY=", "ALIAS_LOOKUP=", "PROFILE=", "TAGS=", "CONFORMANCE_TARGET=")
	cmd.Stdout, cmd.Stderr = r.stdout, r.stderr
	return cmd
}

// depthVerdicts is what one depth's run.json says of each profile.
type depthVerdicts struct {
	Verdicts []struct{ Profile, Verdict string }
}

// verdict prints one table for both depths and returns the run's status. A
// profile is judged at the depths that could observe it: it fails when it
// failed or was vacuous at either, and passes when it passed at one and
// nothing went wrong at the other. A depth whose run failed although every
// profile was beyond its sight is excused; any other failing depth fails
// the run.
func (r *run) verdict(codes map[string]int) (int, error) {
	read := func(target string) (map[string]string, []string, error) {
		var d depthVerdicts
		b, err := os.ReadFile(filepath.Join(r.o.ReportDir, target, conformance.RunFile))
		if err == nil {
			err = json.Unmarshal(b, &d)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading the %s target's verdicts: %w", target, err)
		}
		m, order := map[string]string{}, []string(nil)
		for _, v := range d.Verdicts {
			m[v.Profile] = v.Verdict
			order = append(order, v.Profile)
		}
		return m, order, nil
	}
	pool, order, err := read("pool")
	if err != nil {
		return 0, err
	}
	lambda, _, err := read("lambda")
	if err != nil {
		return 0, err
	}
	status := conformance.ExitPass
	for target, code := range codes {
		blind := true
		for _, v := range map[string]map[string]string{"pool": pool, "lambda": lambda}[target] {
			blind = blind && v == "not observable"
		}
		if code != conformance.ExitPass && !blind {
			status = conformance.ExitFailed
		}
	}
	fmt.Fprintf(r.stdout, "\nVERDICT, both depths, one row per claimed profile:\n  %-14s %-15s %-15s %s\n", "profile", "pool", "lambda", "verdict")
	judged := false
	for _, p := range order {
		v := combined(pool[p], lambda[p])
		judged = judged || v != "not observable"
		if v != "pass" && v != "not observable" {
			status = conformance.ExitFailed
		}
		fmt.Fprintf(r.stdout, "  %-14s %-15s %-15s %s\n", p, pool[p], lambda[p], v)
	}
	if !judged {
		fmt.Fprintln(r.stderr, "local: no profile could be judged at either depth, so the run did not pass")
		status = conformance.ExitFailed
	}
	return status, nil
}

// combined is a profile's verdict from its two depths'.
func combined(a, b string) string {
	for _, v := range []string{"fail", "vacuous", "pass"} {
		if a == v || b == v {
			return v
		}
	}
	return "not observable"
}
