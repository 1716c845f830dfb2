// Command livelocal runs the conformance features against a real user pool on
// this machine: cognito-local as the pool, the Lambda Runtime Interface
// Emulator running a bootstrap binary as its PreSignUp trigger, and a gateway
// that makes the emulator answer like Lambda. It runs the pool and lambda
// targets through the standalone conformance binary, then checks that no test
// user is left, and stops everything it started, even on failure.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/autoconfirm/autoconfirm/internal/gateway"
	"github.com/autoconfirm/autoconfirm/internal/localstack"
	"github.com/autoconfirm/autoconfirm/targets"
)

const differences = `cognito-local is not Cognito. Where it differs, and what that means here:
  - it never checks SecretHash (the pool target still sends one, from a client with a secret);
  - it accepts any password, undeclared attributes, non-E.164 phone numbers and malformed emails,
    so invalid values do reach the trigger, which must leave them unverified;
  - it invokes the trigger only from SignUp (PreSignUp_SignUp), so the pool target skips the
    AdminCreateUser and ExternalProvider scenarios; the lambda target covers them;
  - it does not move aliases: a second verified holder is allowed, so a missing guard shows up
    as a verified attribute, not as a moved alias;
  - its ListUsers filter reads \" literally, so scenarios tagged @filter-escaping are skipped;
  - its ListUsers has no pagination, and the fault scenarios need the fake pool: both skip live;
  - its AdminGetUser resolves an email address or phone number only in email-as-username pools and
    ignores *_verified, so with ALIAS_LOOKUP=admin-get-user every scenario with an existing user is
    reported as not observable at pool depth; the list-users run and the inprocess target cover them;
  - an attribute sent empty in SignUp never reaches the trigger, so at pool depth "empty email"
    scenarios pass whatever the trigger does; the lambda and inprocess targets see them.`

func main() {
	bootstrap := flag.String("bootstrap", "dist/bootstrap", "the Lambda binary to run as the PreSignUp trigger")
	tags := flag.String("tags", "", "godog tag expression passed to the conformance runs")
	verbose := flag.Bool("verbose", false, "show the emulators' logs")
	reportDir := flag.String("report-dir", "reports/live-local", "write each target's reports here, and report.html with the matrix of all targets")
	own := flag.Bool("own", false, "the bootstrap is autoconfirm's own build: also run the @autoconfirm-contract scenarios (its exact error texts and bad-input choices)")
	lookups := flag.String("alias-lookup", "", "comma-separated ALIAS_LOOKUP modes to run the stack in, one run each (default: both for --own; otherwise $ALIAS_LOOKUP, or list-users)")
	flag.Parse()
	modes := strings.Split(*lookups, ",")
	switch {
	case *lookups != "":
	case *own:
		modes = []string{"list-users", "admin-get-user"}
	case os.Getenv("ALIAS_LOOKUP") != "":
		modes = []string{os.Getenv("ALIAS_LOOKUP")}
	default:
		// A handler of unknown make: assume a search, which cognito-local can
		// answer. A handler that asks AdminGetUser should say so with
		// ALIAS_LOOKUP=admin-get-user, so that its alias scenarios are
		// reported as not observable rather than failed.
		modes = []string{"list-users"}
	}
	if !*own {
		fmt.Println("live-local: a bootstrap other than autoconfirm's own build: leaving out the @autoconfirm-contract scenarios, whose exact wording is autoconfirm's choice")
		if *tags == "" {
			*tags = "~@autoconfirm-contract"
		} else {
			*tags += " && ~@autoconfirm-contract"
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	var failed []string
	for i, mode := range modes {
		fmt.Printf("live-local: run %d of %d, the trigger with ALIAS_LOOKUP=%s\n", i+1, len(modes), mode)
		dir := *reportDir
		if len(modes) > 1 {
			dir = filepath.Join(*reportDir, mode)
		}
		if err := run(ctx, *bootstrap, mode, *tags, dir, *verbose, i == 0); err != nil {
			failed = append(failed, fmt.Sprintf("ALIAS_LOOKUP=%s: %v", mode, err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Printf("live-local: wall time %.1fs\n", time.Since(start).Seconds())
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "live-local: interrupted; the stack is stopped and the run did not pass")
		os.Exit(130)
	}
	if len(failed) > 0 {
		fmt.Fprintln(os.Stderr, "live-local: FAIL:", strings.Join(failed, "\n  "))
		os.Exit(1)
	}
	fmt.Println("live-local: PASS")
}

func run(ctx context.Context, bootstrap, lookup, tags, reportDir string, verbose, checkInterrupt bool) (err error) {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if bootstrap, err = filepath.Abs(bootstrap); err != nil {
		return err
	}
	st, err := localstack.Start(ctx, localstack.Options{Root: root, Bootstrap: bootstrap, Env: []string{"ALIAS_LOOKUP=" + lookup}})
	if err != nil {
		return err
	}
	defer func() {
		if err != nil && verbose {
			node, emu := st.Logs()
			fmt.Fprintf(os.Stderr, "--- cognito-local output ---\n%s\n--- emulator output ---\n%s\n", node, emu)
		}
		st.Close()
	}()
	step := func(format string, a ...any) { fmt.Printf("live-local: "+format+"\n", a...) }
	step("trigger %s under the Runtime Interface Emulator, behind the Lambda gateway at %s", bootstrap, st.GatewayURL)
	step("cognito-local at %s, pool %s, app client with a secret, no AutoVerifiedAttributes", st.CognitoURL, st.PoolID)
	gw, api, poolID, clientID, secret, cogURL, gwURL := st.Gateway, st.API, st.PoolID, st.ClientID, st.Secret, st.CognitoURL, st.GatewayURL
	dir, err := os.MkdirTemp("", "autoconfirm-live-local-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Println(differences)

	// The runner, built once, then run per target exactly as a user would.
	runner := filepath.Join(dir, "autoconfirm-conformance")
	build := exec.CommandContext(ctx, "go", "build", "-o", runner, "./cmd/autoconfirm-conformance")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the conformance runner: %w", err)
	}
	impl, err := describeBootstrap(bootstrap)
	if err != nil {
		return err
	}
	var failed []string
	var dirs []string
	for _, target := range []string{"inprocess", "pool", "lambda"} {
		dir := filepath.Join(reportDir, target)
		dirs = append(dirs, dir)
		args := []string{"--target", target, "--pool-id", poolID, "--alias-lookup", lookup, "--emulator", "cognito-local", "--format", "progress", "--concurrency", "4", "--no-colors", "--report-dir", dir}
		switch target {
		case "pool":
			args = append(args, "--client-id", clientID, "--implementation", impl)
		case "lambda":
			args = append(args, "--function", "PreSignUp", "--implementation", impl)
		}
		if tags != "" {
			args = append(args, "--tags", tags)
		}
		step("running the features against the %s target", target)
		cmd := exec.Command(runner, args...)
		cmd.Env = runnerEnv(cogURL, gwURL, secret)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := runChild(ctx, cmd); err != nil {
			failed = append(failed, fmt.Sprintf("%s target: %v", target, err))
		}
		if ctx.Err() != nil {
			return errors.New("interrupted")
		}
	}
	combined := filepath.Join(reportDir, "report.html")
	if out, err := exec.Command(runner, append([]string{"report", "--out", combined}, dirs...)...).CombinedOutput(); err != nil {
		failed = append(failed, fmt.Sprintf("combining the reports: %v: %s", err, out))
	} else {
		step("the conformance matrix of all three targets: %s", combined)
	}
	if checkInterrupt {
		if err := interruptCheck(ctx, runner, gw, api, poolID, clientID, secret, cogURL, lookup); err != nil {
			failed = append(failed, err.Error())
		}
	}
	// No run may leave a test user behind.
	left, err := countUsers(ctx, api, poolID)
	if err != nil {
		return err
	}
	inv, ferr := gw.Counts()
	step("the trigger answered %d invocations (%d function errors); %d test user(s) left in the pool", inv, ferr, left)
	if left != 0 {
		failed = append(failed, fmt.Sprintf("%d test user(s) were left in the pool", left))
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "; "))
	}
	return nil
}

// interruptCheck proves the cleanup on SIGINT: it slows the trigger down,
// starts a pool run, interrupts it as soon as test users exist, and requires
// the runner to exit 130 leaving no test user in the pool.
func interruptCheck(ctx context.Context, runner string, gw *gateway.Gateway, api *cip.Client, poolID, clientID, secret, cogURL, lookup string) error {
	gw.SetDelay(300 * time.Millisecond)
	defer gw.SetDelay(0)
	cmd := exec.Command(runner, "--target", "pool", "--pool-id", poolID, "--client-id", clientID, "--alias-lookup", lookup,
		"--tags", "@alias", "--concurrency", "2", "--format", "progress", "--no-colors")
	cmd.Env = runnerEnv(cogURL, "", secret)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	seen := 0
	for deadline := time.Now().Add(20 * time.Second); seen == 0 && time.Now().Before(deadline); {
		n, err := countUsers(ctx, api, poolID)
		if err != nil {
			cmd.Process.Kill()
			<-done
			return err
		}
		seen = n
		if seen == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if seen == 0 {
		cmd.Process.Kill()
		<-done
		return errors.New("interrupt check: the run created no user within 20s")
	}
	cmd.Process.Signal(os.Interrupt)
	var exitErr *exec.ExitError
	err := <-done
	code := 0
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	}
	left, cerr := countUsers(ctx, api, poolID)
	if cerr != nil {
		return cerr
	}
	fmt.Printf("live-local: interrupt check: SIGINT with %d test user(s) in the pool mid-scenario; the runner exited %d and left %d\n", seen, code, left)
	if code != 130 || left != 0 {
		return fmt.Errorf("interrupt check: want exit 130 and 0 users left, got exit %d and %d left\n%s", code, left, out.Bytes())
	}
	return nil
}

// describeBootstrap names the binary under test for the reports: its path and
// sha256, so that a report says exactly what it judged.
func describeBootstrap(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the bootstrap: %w", err)
	}
	return fmt.Sprintf("bootstrap %s, sha256 %x, under the Lambda Runtime Interface Emulator", path, sha256.Sum256(b)), nil
}

// runnerEnv is the conformance runner's environment: the local stack's
// endpoints and dummy credentials, and the client secret, which is never a flag.
func runnerEnv(cogURL, gwURL, secret string) []string {
	return append(os.Environ(), "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="+cogURL, "AWS_ENDPOINT_URL_LAMBDA="+gwURL,
		"COGNITO_CLIENT_SECRET="+secret)
}

// runChild runs cmd, and on SIGINT or SIGTERM passes the signal on and waits,
// so that the runner can delete its users before the stack goes away.
func runChild(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case err := <-done:
			return err
		case <-time.After(60 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			return <-done
		}
	}
}

func countUsers(ctx context.Context, api *cip.Client, poolID string) (int, error) {
	out, err := api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		return 0, fmt.Errorf("counting leftover users: %w", err)
	}
	n := 0
	for _, u := range out.Users {
		if strings.HasPrefix(aws.ToString(u.Username), targets.UserPrefix) {
			n++
		}
	}
	return n, nil
}
