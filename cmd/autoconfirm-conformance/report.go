package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
	for _, dir := range fs.Args() {
		if _, err := os.Stat(filepath.Join(dir, conformance.RunFile)); err != nil {
			return conformance.ExitUsage, usageErrorf("%s is not a report directory (it has no %s): give the directories that runs wrote with --report-dir", dir, conformance.RunFile)
		}
	}
	if err := conformance.Combine(*out, fs.Args()...); err != nil {
		return conformance.ExitFailed, err
	}
	fmt.Fprintf(stdout, "report: wrote %s from %d run(s)\n", *out, fs.NArg())
	return conformance.ExitPass, nil
}
