// Command mkzip writes a Lambda deployment zip of a bootstrap or a code
// directory with the deterministic zipper, and prints its CodeSha256, the
// value Lambda reports for it, so `make package` needs nothing but Go.
// With -arch, it refuses a bootstrap built for another architecture.
package main

import (
	"debug/elf"
	"flag"
	"fmt"
	"os"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
)

func main() {
	arch := flag.String("arch", "", "refuse a bootstrap that is not a Linux binary for this Go architecture (amd64 or arm64)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkzip [-arch amd64|arm64] OUT.zip BOOTSTRAP|DIR")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *arch); err != nil {
		fmt.Fprintln(os.Stderr, "mkzip:", err)
		os.Exit(1)
	}
}

// machines are the ELF machines of Go's architectures.
var machines = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

func run(out, code, arch string) error {
	if _, err := os.Stat(code); err != nil {
		return fmt.Errorf("%w (run make build first)", err)
	}
	if arch != "" {
		f, err := elf.Open(code)
		if err != nil {
			return fmt.Errorf("%s is not a Linux binary: %w", code, err)
		}
		got := f.Machine
		f.Close()
		if want, ok := machines[arch]; !ok || got != want {
			return fmt.Errorf("%s is built for %s, and the function's architecture is %s: it would fail on Lambda with an exec format error; build it with GOARCH=%s", code, got, arch, arch)
		}
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := codezip.Write(f, code); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	id, err := codezip.Of(code)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %s\n", out, id)
	return nil
}
