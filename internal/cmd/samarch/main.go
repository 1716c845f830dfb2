// Command samarch prints the architecture a SAM template gives its function,
// as Go names it (amd64 or arm64), so that make package builds for it:
// samarch TEMPLATE [Name=Value ...], the values overriding parameters as a
// deploy's --parameter-overrides would.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/samtemplate"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: samarch TEMPLATE [Name=Value ...]")
		os.Exit(2)
	}
	overrides := map[string]string{}
	for _, kv := range os.Args[2:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "samarch: %q is not Name=Value\n", kv)
			os.Exit(2)
		}
		overrides[k] = v
	}
	t, err := samtemplate.Read(os.Args[1], overrides)
	if err == nil {
		var f samtemplate.Function
		if f, err = t.Function(""); err == nil {
			fmt.Println(map[string]string{"x86_64": "amd64", "arm64": "arm64"}[f.Architecture])
			return
		}
	}
	fmt.Fprintln(os.Stderr, "samarch:", err)
	os.Exit(2)
}
