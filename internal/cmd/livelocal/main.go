// Command livelocal is what `make live-local` runs: it judges a bootstrap
// binary with `autoconfirm-conformance local --runtime provided.al2023`,
// once per ALIAS_LOOKUP mode, against cognito-local and the Lambda Runtime
// Interface Emulator; or, with --runtime and --code, a Node.js or Python
// handler. It only builds the runner, lays a lone binary out as Lambda
// would, and passes the settings on.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/internal/local/child"
)

func main() {
	bootstrap := flag.String("bootstrap", "dist/bootstrap", "the Lambda binary to run as the PreSignUp trigger")
	tags := flag.String("tags", "", "godog tag expression passed to the conformance runs")
	verbose := flag.Bool("verbose", false, "show the emulators' logs when a run fails")
	reportDir := flag.String("report-dir", "reports/live-local", "write each run's reports here")
	own := flag.Bool("own", false, "the bootstrap is autoconfirm's own build: judge every profile, in both lookup modes")
	profile := flag.String("profile", os.Getenv("PROFILE"), "the profiles to judge (default: all for --own, else cognito,auto-confirm,alias-safe) (env PROFILE)")
	runtime := flag.String("runtime", "", "Lambda's runtime identifier, with --code: nodejs20.x, python3.12, provided.al2023")
	code := flag.String("code", "", "the function's code directory, with --runtime")
	handler := flag.String("handler", "", "the handler, with --runtime, e.g. index.handler")
	lookups := flag.String("alias-lookup", "", "comma-separated ALIAS_LOOKUP modes to run, one run each (default: both for --own; otherwise $ALIAS_LOOKUP, or list-users)")
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
		// answer. One that asks AdminGetUser says so with
		// ALIAS_LOOKUP=admin-get-user, so that its alias scenarios are
		// reported as not observable rather than failed.
		modes = []string{"list-users"}
	}
	if *profile == "" && *own {
		*profile = "all"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fn := function{runtime: *runtime, code: *code, handler: *handler, bootstrap: *bootstrap}
	if (fn.runtime == "") != (fn.code == "") {
		fmt.Fprintln(os.Stderr, "live-local: give RUNTIME and CODE together (and HANDLER for Node.js and Python), or BOOTSTRAP alone")
		os.Exit(conformance.ExitUsage)
	}
	os.Exit(run(ctx, fn, *tags, *profile, *reportDir, modes, *verbose))
}

// function is what to judge: a runtime and a code directory, or a
// bootstrap binary (or a directory that holds one).
type function struct {
	runtime, code, handler, bootstrap string
}

func run(ctx context.Context, fn function, tags, profile, reportDir string, modes []string, verbose bool) int {
	start := time.Now()
	dir, err := os.MkdirTemp("", "autoconfirm-live-local-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "live-local:", err)
		return conformance.ExitUsage
	}
	defer os.RemoveAll(dir)
	runner, err := prepare(ctx, &fn, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "live-local:", err)
		return conformance.ExitUsage
	}
	worst := 0
	for i, mode := range modes {
		fmt.Printf("live-local: run %d of %d, the trigger with ALIAS_LOOKUP=%s\n", i+1, len(modes), mode)
		out := reportDir
		if len(modes) > 1 {
			out = filepath.Join(reportDir, mode)
		}
		cmd := exec.Command(runner, localArgs(fn, mode, out, tags, profile, verbose)...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		code, err := child.Run(ctx, cmd)
		if err != nil {
			fmt.Fprintln(os.Stderr, "live-local:", err)
			return conformance.ExitUsage
		}
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "live-local: interrupted; the run did not pass")
			return conformance.ExitInterrupted
		}
		worst = max(worst, code)
	}
	fmt.Printf("live-local: wall time %.1fs\n", time.Since(start).Seconds())
	if worst != 0 {
		fmt.Fprintf(os.Stderr, "live-local: FAIL (exit %d)\n", worst)
		return worst
	}
	fmt.Println("live-local: PASS")
	return conformance.ExitPass
}

// prepare lays a lone bootstrap out as Lambda's provided runtimes run it,
// in dir, and builds the conformance runner there; it returns the runner.
func prepare(ctx context.Context, fn *function, dir string) (string, error) {
	if fn.runtime == "" {
		fn.runtime, fn.code = "provided.al2023", fn.bootstrap
		// Lambda's provided runtimes run a file named bootstrap in the code
		// directory; lay a lone binary out so. A copy, not a link: the
		// sandbox shows the function its code directory alone, as Lambda
		// does, where a link to the binary's path on this machine dangles.
		if st, err := os.Stat(fn.bootstrap); err != nil || !st.IsDir() {
			fn.code = filepath.Join(dir, "code")
			if err := copyBootstrap(fn.bootstrap, fn.code); err != nil {
				return "", err
			}
		}
	}
	runner := filepath.Join(dir, "autoconfirm-conformance")
	build := exec.CommandContext(ctx, "go", "build", "-o", runner, "./cmd/autoconfirm-conformance")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("building the conformance runner: %w", err)
	}
	return runner, nil
}

// localArgs are local's arguments for one lookup mode.
func localArgs(fn function, mode, reportDir, tags, profile string, verbose bool) []string {
	args := []string{"local", "--runtime", fn.runtime, "--code", fn.code,
		"--env", "ALIAS_LOOKUP=" + mode, "--alias-lookup", mode, "--report-dir", reportDir}
	if fn.handler != "" {
		args = append(args, "--handler", fn.handler)
	}
	if policy := os.Getenv("ALIAS_POLICY"); policy != "" {
		args = append(args, "--env", "ALIAS_POLICY="+policy, "--alias-policy", policy)
	}
	for flag, v := range map[string]string{"--tags": tags, "--profile": profile} {
		if v != "" {
			args = append(args, flag, v)
		}
	}
	if verbose {
		args = append(args, "--verbose")
	}
	return args
}

// copyBootstrap copies the binary at from into dir as an executable named
// bootstrap.
func copyBootstrap(from, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("reading the bootstrap: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "bootstrap"), b, 0o755)
}
