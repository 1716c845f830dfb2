package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/autoconfirm/autoconfirm/conformance"
)

// runReport combines the report directories of several runs into one page.
func runReport(_ context.Context, args []string, _ func(string) string, stdout, _ io.Writer) (int, error) {
	fs := flag.NewFlagSet("autoconfirm-conformance report", flag.ContinueOnError)
	out := fs.String("out", "report.html", "the combined HTML file to write")
	if err := parse(fs, args, stdout, true); err != nil {
		return conformance.ExitUsage, err
	}
	if fs.NArg() == 0 {
		return conformance.ExitUsage, usageErrorf("report needs one or more report directories (written with --report-dir)")
	}
	if err := conformance.Combine(*out, fs.Args()...); err != nil {
		return conformance.ExitFailed, err
	}
	fmt.Fprintf(stdout, "report: wrote %s from %d run(s)\n", *out, fs.NArg())
	return conformance.ExitPass, nil
}
