package sandbox

import "fmt"

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

// ConfineArgs is the command line, run in the sandbox, that confines the
// function and runs argv.
func ConfineArgs(argv ...string) []string {
	return append([]string{ForwarderAt, ConfineCommand, "--"}, argv...)
}

// confined says how far the function is kept from the sandbox's own
// processes.
func (s *Sandbox) confined() string {
	switch {
	case s.Landlock >= scopedABI:
		return fmt.Sprintf("the sandbox's own processes out of its reach (Landlock ABI %d: no ptrace, /proc/<pid>/mem or signal to them); %d open files", s.Landlock, FileLimit)
	case s.Landlock > 0:
		return fmt.Sprintf("the sandbox's own processes' memory out of its reach (Landlock ABI %d); NOT AS ON LAMBDA: it may signal them, as Landlock scopes signals from ABI %d; %d open files", s.Landlock, scopedABI, FileLimit)
	}
	why := "none was probed"
	if s.LandlockWhy != nil {
		why = s.LandlockWhy.Error()
	}
	return fmt.Sprintf("NOT AS ON LAMBDA: the function can read and write the memory of the sandbox's own processes, which run as its uid (no Landlock: %s); %d open files", why, FileLimit)
}

// scopedABI is the first Landlock ABI that scopes signals and abstract
// Unix sockets to the domain.
const scopedABI = 6
