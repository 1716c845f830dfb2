package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/diff"
)

// runReport combines the report directories of several runs into one page.
// Its own files are removed before any check that can fail, and any file it
// cannot write is a setup error (exit 2) that names it. It stops on SIGINT
// and SIGTERM whatever it is reading: a run.json may be a
// pipe, or on a file system that does not answer.
func runReport(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) (int, error) {
	type outcome struct {
		status int
		err    error
	}
	done := make(chan outcome, 1)
	go func() {
		status, err := report(args, stdout)
		done <- outcome{status, err}
	}()
	select {
	case o := <-done:
		return o.status, o.err
	case <-ctx.Done():
		fmt.Fprintln(stderr, "report: interrupted; what it was writing is incomplete")
		return exitInterrupted, nil
	}
}

func report(args []string, stdout io.Writer) (int, error) {
	fs := flag.NewFlagSet("autoconfirm-conformance report", flag.ContinueOnError)
	out := fs.String("out", "report.html", "the combined HTML file to write")
	markdown := fs.String("markdown", "", "also write the verdict table and the failures (or, for a diff's report directory, its ranked differences) as Markdown to this file, - for standard output (for $GITHUB_STEP_SUMMARY or a pull-request comment); then HTML is written only if --out is given")
	expect := fs.Int("expect-status", -1, "refuse (exit 2) unless every directory's run.json records this exit status: the Action passes its run's, so that its summary is never written from an earlier run's record")
	if err := parse(fs, args, stdout, true); err != nil {
		return conformance.ExitUsage, err
	}
	outGiven := false
	fs.Visit(func(f *flag.Flag) { outGiven = outGiven || f.Name == "out" })
	writeHTML := *markdown == "" || outGiven
	var stale []string
	if writeHTML {
		stale = append(stale, *out)
	}
	if *markdown != "" && *markdown != "-" {
		stale = append(stale, *markdown)
	}
	if err := conformance.RemoveStale(stale...); err != nil {
		return conformance.ExitUsage, err
	}
	if fs.NArg() == 0 {
		return conformance.ExitUsage, usageErrorf("report needs one or more report directories (written with --report-dir)")
	}
	if diffs, err := diffDirs(fs.Args()); err != nil || diffs {
		if err != nil {
			return conformance.ExitUsage, err
		}
		return reportDiffs(fs.Args(), *markdown, outGiven, *expect, stdout)
	}
	for _, dir := range fs.Args() {
		if _, err := os.Stat(filepath.Join(dir, conformance.RunFile)); err != nil {
			return conformance.ExitUsage, usageErrorf("%s is not a report directory (it has no %s, nor a diff's %s): give the directories that runs or a diff wrote with --report-dir", dir, conformance.RunFile, diff.JSONFile)
		}
		if err := conformance.CheckReportDir(dir); err != nil {
			return conformance.ExitUsage, usageErrorf("%v: give the directories that runs wrote with --report-dir, as they wrote them", err)
		}
	}
	if *expect >= 0 {
		if err := conformance.CheckStatus(*expect, fs.Args()...); err != nil {
			return conformance.ExitUsage, err
		}
	}
	if *markdown != "" {
		if err := writeMarkdown(*markdown, stdout, fs.Args()); err != nil {
			return conformance.ExitUsage, err
		}
	}
	if !writeHTML {
		return conformance.ExitPass, nil
	}
	if err := conformance.Combine(*out, fs.Args()...); err != nil {
		return conformance.ExitUsage, err
	}
	fmt.Fprintf(stdout, "report: wrote %s from %d report director(ies)\n", *out, fs.NArg())
	return conformance.ExitPass, nil
}

// writeMarkdown writes the Markdown summary of dirs to path, - for stdout.
func writeMarkdown(path string, stdout io.Writer, dirs []string) error {
	d, err := conformance.ReadRuns(dirs...)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	d.Markdown(&b)
	if path != "-" {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("the Markdown report %s could not be written: %w", path, err)
		}
		return nil
	}
	if _, err := stdout.Write(b.Bytes()); err != nil {
		return fmt.Errorf("the Markdown report could not be written to standard output: %w", err)
	}
	return nil
}

// diffDirs says whether dirs are a diff's report directories, which hold
// diff.json and no run.json; a mix of those and a run's is refused.
func diffDirs(dirs []string) (bool, error) {
	n := 0
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, conformance.RunFile)); err != nil && diff.IsReportDir(dir) {
			n++
		}
	}
	if n > 0 && n < len(dirs) {
		return false, usageErrorf("give either the report directories of runs or those of diffs, not both: report renders one or the other")
	}
	return n > 0, nil
}

// reportDiffs writes the Markdown of diffs' report directories; a diff
// writes its own diff.html, so there is no page to combine.
func reportDiffs(dirs []string, markdown string, outGiven bool, expect int, stdout io.Writer) (int, error) {
	if markdown == "" || outGiven {
		return conformance.ExitUsage, usageErrorf("a diff's report directory holds its own %s: give --markdown FILE (or -) to render it for a job summary, without --out", diff.HTMLFile)
	}
	var b bytes.Buffer
	for i, dir := range dirs {
		rep, err := diff.ReadReport(dir)
		if err != nil {
			return conformance.ExitUsage, usageErrorf("%v", err)
		}
		if expect >= 0 && rep.Status != expect {
			return conformance.ExitUsage, fmt.Errorf("%s records exit status %d, not %d: it is another diff's record", filepath.Join(dir, diff.JSONFile), rep.Status, expect)
		}
		if i > 0 {
			b.WriteString("\n")
		}
		rep.Markdown(&b)
	}
	if markdown == "-" {
		if _, err := stdout.Write(b.Bytes()); err != nil {
			return conformance.ExitUsage, fmt.Errorf("the Markdown report could not be written to standard output: %w", err)
		}
		return conformance.ExitPass, nil
	}
	if err := os.WriteFile(markdown, b.Bytes(), 0o644); err != nil {
		return conformance.ExitUsage, fmt.Errorf("the Markdown report %s could not be written: %w", markdown, err)
	}
	return conformance.ExitPass, nil
}
