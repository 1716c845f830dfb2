// Command mkzip writes a Lambda deployment zip of a bootstrap or a code
// directory with the deterministic zipper, and prints its CodeSha256, the
// value Lambda reports for it, so `make package` needs nothing but Go.
package main

import (
	"fmt"
	"os"

	"github.com/autoconfirm/autoconfirm/codezip"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: mkzip OUT.zip BOOTSTRAP|DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "mkzip:", err)
		os.Exit(1)
	}
}

func run(out, code string) error {
	if _, err := os.Stat(code); err != nil {
		return fmt.Errorf("%w (run make build first)", err)
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
