// Command autoconfirm-conformance runs the autoconfirm features, which it
// carries inside itself, against a pre sign-up implementation.
//
// Usage:
//
//	autoconfirm-conformance [flags]
//
// Targets:
//
//	inprocess  the autoconfirm handler in this process, with a fake pool (default)
//
// Exit status: 0 when every scenario passed, 1 when a scenario failed, 2 on a
// usage or configuration error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/conformance"
	"github.com/autoconfirm/autoconfirm/targets"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

type options struct {
	target      string
	tags        string
	format      string
	concurrency int
	seed        int64
	noColors    bool
}

func parse(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("autoconfirm-conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	def := getenv("CONFORMANCE_TARGET")
	if def == "" {
		def = "inprocess"
	}
	fs.StringVar(&o.target, "target", def, "where to run the scenarios: inprocess (env CONFORMANCE_TARGET)")
	fs.StringVar(&o.tags, "tags", getenv("TAGS"), "run only scenarios matching this godog tag expression, e.g. '@alias' or '~@slow' (env TAGS)")
	fs.StringVar(&o.format, "format", "pretty", "godog formatters: pretty, progress, junit:FILE, cucumber:FILE, comma-separated")
	fs.IntVar(&o.concurrency, "concurrency", 1, "scenarios run at once; above 1, pretty output is buffered per scenario")
	fs.Int64Var(&o.seed, "seed", 0, "scenario order: -1 random (the seed is printed), 0 file order, N replays seed N")
	fs.BoolVar(&o.noColors, "no-colors", getenv("NO_COLOR") != "", "plain output without ANSI colours (env NO_COLOR)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q; features are built in, select them with --tags", fs.Arg(0))
	}
	if o.concurrency < 1 {
		return o, fmt.Errorf("--concurrency must be at least 1, got %d", o.concurrency)
	}
	return o, nil
}

const usage = `autoconfirm-conformance runs the autoconfirm sign-up scenarios against a
pre sign-up implementation and exits 0 (pass), 1 (a scenario failed) or 2
(usage or configuration error). The features and fixtures are built in.

Flags:
`

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parse(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return conformance.ExitPass
	}
	if err != nil {
		fmt.Fprintln(stderr, "autoconfirm-conformance:", err)
		return conformance.ExitUsage
	}
	var target targets.Target
	switch o.target {
	case "inprocess":
		target = targets.NewInProcess()
	default:
		fmt.Fprintf(stderr, "autoconfirm-conformance: unknown --target %q; use inprocess\n", o.target)
		return conformance.ExitUsage
	}
	res := conformance.Run(conformance.Options{
		Target:      target,
		Content:     autoconfirm.Content(),
		Format:      o.format,
		Tags:        o.tags,
		Concurrency: o.concurrency,
		Seed:        o.seed,
		NoColors:    o.noColors,
		Output:      stdout,
	})
	return res.Status
}
