// Command autoconfirm-conformance runs the autoconfirm sign-up scenarios,
// which it carries inside itself, against a pre sign-up implementation. It
// needs no Go toolchain and no checkout, so it serves as a post-deploy smoke
// test. Run it with --help for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
	"github.com/autoconfirm/autoconfirm/internal/termtext"
)

const usage = `autoconfirm-conformance runs the autoconfirm sign-up scenarios against a
Cognito pre sign-up implementation. The features and fixtures are built in.

Usage:
  autoconfirm-conformance [flags]                run the scenarios
  autoconfirm-conformance cleanup --pool-id ID   delete users left by runs (prefix ` + targets.UserPrefix + `)
  autoconfirm-conformance report --out F DIR...  combine the report directories of several runs
                                                 (one per target) into one HTML page with a matrix
  autoconfirm-conformance --version              print the module version and the VCS revision built from
  autoconfirm-conformance steps                  print every step phrase a feature can use, with an example
  autoconfirm-conformance rules                  print what Cognito enforces on a trigger, with sources:
                                                 the "rules §N" that messages cite
  autoconfirm-conformance local --runtime R --code DIR [--handler NAME] [--profile LIST]
                                                 run any handler on this machine: cognito-local, the Lambda
                                                 Runtime Interface Emulator and an Invoke gateway around it,
                                                 then the pool and lambda targets (local --help for more)
  autoconfirm-conformance diff [--events N] A B  send two handlers the same sign-ups and report each
                                                 decision they differ on, with its smallest event
                                                 (A, B: local:RUNTIME:DIR[:HANDLER] or lambda:FUNCTION;
                                                 diff --help for more)

Profiles (--profile, or PROFILE): each scenario judges one of
  cognito       what Cognito enforces on the events it sends: the answer's shape, no
                verify flag without a confirm or for an attribute not given, an answer
                within 5 s; refusing is allowed (autoconfirm-conformance rules)
  confirm       every ordinary sign-up confirmed
  verify-email  every ordinary email address nobody else holds verified
  verify-phone  every E.164 phone number nobody else holds verified
  alias-safe    a value another user holds verified is never verified for the new user
  defensive     empty and invalid values, which Cognito's validation stops, left unverified
  autoconfirm   this project's own choices: its policies and texts, lookups, bad input, exact echo
auto-confirm stands for confirm,verify-email,verify-phone. The default claim is
cognito,auto-confirm,alias-safe, and all for the inprocess target. A scenario of
a profile not asked for is reported as not claimed, apart from one the target
cannot observe. Every run also sends a control sign-up, and fails when the
handler accepted no PreSignUp_SignUp. Your own features (--features DIR) may tag
their scenarios with a profile of your own and claim it.

Targets (--target, or CONFORMANCE_TARGET):
  inprocess  the autoconfirm handler in this process, with a fake pool (default)
  lambda     a deployed function, through the Lambda Invoke API
             needs --function; --pool-id to seed existing users and point events at that pool
  pool       a real user pool, through SignUp and AdminGetUser
             needs --pool-id and --client-id; a client secret from COGNITO_CLIENT_SECRET

The AWS SDK's usual settings apply: AWS_REGION, credentials, AWS_PROFILE,
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER.

A step that the target cannot observe is skipped, and every skip is listed with
its reason after the summary: a skipped check never counts as a pass. The
live targets make each run's data unique (usernames ` + targets.UserPrefix + `<run>-…,
emails tagged +<run>, fictional +1 NPA 555-01xx phone numbers), delete every
user they create after each scenario, and clean up on SIGINT or SIGTERM.

Exit status: 0 every scenario passed, 1 a scenario failed, 2 usage or
configuration error, 130 interrupted.

Flags:
`

// errUsage marks a mistake in how the runner was called: exit status 2.
var errUsage = errors.New("usage")

// usageError is a usage mistake: errors.Is(err, errUsage) holds, and its
// message is only what went wrong.
type usageError struct{ msg string }

func (e usageError) Error() string      { return e.msg }
func (usageError) Is(target error) bool { return target == errUsage }

// usageErrorf returns a usage mistake with its message.
func usageErrorf(format string, a ...any) error {
	return usageError{fmt.Sprintf(format, a...)}
}

// exitInterrupted is the status of a run stopped by SIGINT or SIGTERM.
const exitInterrupted = conformance.ExitInterrupted

func main() {
	if len(os.Args) > 1 && os.Args[1] == sandbox.ForwardCommand {
		// In a sandbox: its network's forwarder, which starts the emulator.
		os.Exit(sandbox.Forward(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == sandbox.ConfineCommand {
		// In a sandbox: the function's runtime starts here.
		os.Exit(sandbox.Confine(os.Args[2:]))
	}
	code, done, release := contain(os.Args[1:], os.Stderr)
	if !done {
		ctx, stop := interruptible()
		code = run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
		stop()
		release()
	}
	os.Exit(code)
}

// run dispatches to a subcommand and turns its outcome into an exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmdArgs := args
	cmd := runSuite
	if len(args) > 0 {
		switch args[0] {
		case "cleanup":
			cmd, args = runCleanup, args[1:]
		case "report":
			cmd, args = runReport, args[1:]
		case "steps":
			cmd, args = runSteps, args[1:]
		case "rules":
			cmd, args = runRules, args[1:]
		case "local":
			cmd, args = runLocal, args[1:]
		case "diff":
			cmd, args = runDiff, args[1:]
		case "version", "--version", "-version":
			cmd, args = runVersion, args[1:]
		}
	}
	if len(cmdArgs) > 0 && (cmdArgs[0] == "local" || cmdArgs[0] == "diff" || cmdArgs[0] == "report") {
		// Their output carries a handler's text: no sequence it wrote
		// reaches the terminal raw (red team round 13).
		stdout, stderr = &termtext.Writer{W: stdout}, &termtext.Writer{W: stderr}
	}
	help := helpCommand(cmdArgs, args)
	status, err := cmd(ctx, args, getenv, stdout, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return conformance.ExitPass
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "autoconfirm-conformance: %v\nsee `%s` for its flags\n", err, help)
		return conformance.ExitUsage
	case err != nil:
		fmt.Fprintln(stderr, "autoconfirm-conformance:", err)
		if status == conformance.ExitPass {
			status = conformance.ExitFailed
		}
	}
	return status
}

// helpCommand is the --help that documents the subcommand the arguments
// ran: a usage error points to it, not to the top-level one. rest is what
// is left of all once the subcommand's name is taken.
func helpCommand(all, rest []string) string {
	if len(rest) < len(all) && !strings.HasPrefix(all[0], "-") {
		return "autoconfirm-conformance " + all[0] + " --help"
	}
	return "autoconfirm-conformance --help"
}

// parse parses a subcommand's flags. --help prints the usage and the
// subcommand's flags on stdout and returns flag.ErrHelp; a bad flag is a
// usage error. Arguments are refused unless the subcommand takes them.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer, takesArgs bool) error {
	fs.SetOutput(io.Discard) // errors are reported by run
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			switch name := strings.TrimPrefix(fs.Name(), "autoconfirm-conformance "); name {
			case "autoconfirm-conformance":
				fmt.Fprint(stdout, usage)
			case "diff":
				fmt.Fprint(stdout, diffUsage)
			default:
				fmt.Fprintf(stdout, "autoconfirm-conformance %s: its flags (autoconfirm-conformance --help says what each subcommand does)\n\n", name)
			}
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return err
		}
		return usageErrorf("%v", err)
	}
	if !takesArgs && fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q; the features are built in, select them with --tags", fs.Arg(0))
	}
	return nil
}

// envOr returns the environment's value for k, or def.
func envOr(getenv func(string) string, k, def string) string {
	if v := getenv(k); v != "" {
		return v
	}
	return def
}
