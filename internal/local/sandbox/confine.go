package sandbox

import (
	"fmt"
	"strings"
)

// The function's runtime starts through the runner re-executed as
// ConfineCommand, which takes the function's own limits before it runs the
// runtime: Lambda's 1,024 open files, and a Landlock domain that keeps the
// sandbox's own processes (bwrap's init, the forwarder, the emulator) out
// of the function's reach (rules §18). Those run as the function's uid, so
// without it the function could write their memory through
// /proc/<pid>/mem (red team round 16).

// ConfineCommand is the runner's hidden subcommand that runs Confine.
const ConfineCommand = "__autoconfirm-sandbox-confine"

// FileLimit is Lambda's limit on a function's open files (rules §18).
const FileLimit = 1024

// ExtAt is where the layers' extensions are bound in the sandbox; each is
// started from /opt/extensions through Confine.
const ExtAt = "/var/rapid/ext"

// EnvAt is where the function's environment is bound in the sandbox: its
// variables, NUL-separated, which only Confine gives the runtime.
const EnvAt = "/var/rapid/env"

// ConfineArgs is the command line, run in the sandbox, that confines the
// function and runs argv with the environment in envFile.
func ConfineArgs(envFile string, argv ...string) []string {
	return append([]string{ForwarderAt, ConfineCommand, envFile, "--"}, argv...)
}

// EmulatorEnv is what of the function's environment env the emulator, the
// forwarder and bwrap start with: the variables Lambda defines for the
// function, which the emulator reads, and none that a loader or a Go
// runtime acts on (LD_PRELOAD, GODEBUG…), which the function may set for
// itself (red team round 17).
func EmulatorEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_LAMBDA_") || emulatorReads[k] {
			out = append(out, kv)
		}
	}
	return out
}

// emulatorReads are the other variables the emulator reads or passes on.
var emulatorReads = map[string]bool{"PATH": true, "LANG": true, "TZ": true, "AWS_REGION": true, "AWS_DEFAULT_REGION": true,
	"_HANDLER": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true, "AWS_EXECUTION_ENV": true}

// EmulatorTimeout is the variable that sets the emulator's own timeout,
// which is not the function's and which Lambda does not give it: the
// runtime's start script takes it out, confined or not.
const EmulatorTimeout = "AWS_LAMBDA_FUNCTION_TIMEOUT"

// overlay is base with each of env's variables set over it, but the
// Runtime API's address, which the runtime's start script gives.
func overlay(base, env []string) []string {
	at := map[string]int{}
	out := append([]string(nil), base...)
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		at[k] = i
	}
	for _, kv := range env {
		k, _, ok := strings.Cut(kv, "=")
		switch i, seen := at[k]; {
		case !ok || k == "AWS_LAMBDA_RUNTIME_API":
		case seen:
			out[i] = kv
		default:
			at[k] = len(out)
			out = append(out, kv)
		}
	}
	return out
}

// confined says how far the function is kept from the sandbox's own
// processes.
func (s *Sandbox) confined() string {
	switch {
	case s.Landlock >= scopedABI:
		return fmt.Sprintf("the sandbox's own processes out of its reach (Landlock ABI %d: no ptrace, /proc/<pid>/mem or signal to them); %s; %d open files", s.Landlock, ownLimits, FileLimit)
	case s.Landlock > 0:
		return fmt.Sprintf("the sandbox's own processes' memory out of its reach (Landlock ABI %d); NOT AS ON LAMBDA: it may signal them, as Landlock scopes signals from ABI %d; %s; %d open files", s.Landlock, scopedABI, ownLimits, FileLimit)
	}
	why := "none was probed"
	if s.LandlockWhy != nil {
		why = s.LandlockWhy.Error()
	}
	return fmt.Sprintf("NOT AS ON LAMBDA: the function can read and write the memory of the sandbox's own processes, which run as its uid (no Landlock: %s); %d open files", why, FileLimit)
}

// ownLimits is what the function can still do to the sandbox's own
// processes, which run as its uid: no filter can tell a call that names
// them from one that names the function's own pid (rules §18).
const ownLimits = "NOT AS ON LAMBDA: it may lower their limits and priority and raise their oom_score_adj, which can only slow or break its own run"

// scopedABI is the first Landlock ABI that scopes signals and abstract
// Unix sockets to the domain.
const scopedABI = 6
