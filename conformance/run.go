// Package conformance runs the features against a target with godog and turns
// the result into an exit status: 0 pass, 1 a scenario failed, 2 a usage or
// configuration error.
package conformance

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/cucumber/godog"

	"github.com/autoconfirm/autoconfirm/steps"
	"github.com/autoconfirm/autoconfirm/targets"
)

// Exit statuses.
const (
	ExitPass   = 0
	ExitFailed = 1
	ExitUsage  = 2
)

// Options configure one run.
type Options struct {
	Target targets.Target
	// Content holds features/ and fixtures/.
	Content fs.FS
	// Paths inside Content; default features.
	Paths []string
	// Format is godog's format string, e.g. "pretty" or
	// "progress,junit:out.xml,cucumber:out.json".
	Format string
	// Tags is a godog tag expression, e.g. "@alias && ~@slow".
	Tags string
	// Concurrency is the number of scenarios run at once.
	Concurrency int
	// Seed orders scenarios: -1 picks a random seed (printed), 0 keeps file order.
	Seed int64
	// Output receives the formatter's output; default stdout.
	Output io.Writer
	// NoColors turns off ANSI colours.
	NoColors bool
	// TestingT makes each scenario a subtest.
	TestingT *testing.T
	// ReportDir, when set, receives junit.xml, cucumber.json, report.html
	// and run.json.
	ReportDir string
}

// Result is the outcome of a run.
type Result struct {
	Status int
	Skips  []steps.Skip
}

// Run runs the features once.
func Run(o Options) Result {
	if o.Target == nil || o.Content == nil {
		return Result{Status: ExitUsage}
	}
	if o.Output == nil {
		o.Output = os.Stdout
	}
	if len(o.Paths) == 0 {
		o.Paths = []string{"features"}
	}
	if o.Format == "" {
		o.Format = "pretty"
	}
	if o.Concurrency < 1 {
		o.Concurrency = 1
	}
	if o.ReportDir != "" {
		if err := os.MkdirAll(o.ReportDir, 0o755); err != nil {
			fmt.Fprintf(o.Output, "cannot create the report directory: %v\n", err)
			return Result{Status: ExitUsage}
		}
		o.Format += ",junit:" + filepath.Join(o.ReportDir, JUnitFile) + ",cucumber:" + filepath.Join(o.ReportDir, CucumberFile)
	}
	skips := &steps.SkipLog{}
	suite := &steps.Suite{Target: o.Target, Fixtures: o.Content, Skips: skips}
	ts := godog.TestSuite{
		Name:                "autoconfirm",
		ScenarioInitializer: suite.InitializeScenario,
		Options: &godog.Options{
			Format:      o.Format,
			Paths:       o.Paths,
			FS:          o.Content,
			Tags:        o.Tags,
			Concurrency: o.Concurrency,
			Randomize:   o.Seed,
			Strict:      true,
			NoColors:    o.NoColors,
			Output:      o.Output,
			TestingT:    o.TestingT,
		},
	}
	status := ts.Run()
	skips.Print(o.Output)
	res := Result{Status: status, Skips: skips.Items()}
	if o.ReportDir != "" && status != ExitUsage {
		if err := writeReports(o.ReportDir, o.Target.Name(), res.Skips); err != nil {
			fmt.Fprintf(o.Output, "writing the reports: %v\n", err)
			if res.Status == ExitPass {
				res.Status = ExitFailed
			}
		} else {
			fmt.Fprintf(o.Output, "reports: %s (JUnit), %s (cucumber JSON), %s (HTML)\n",
				filepath.Join(o.ReportDir, JUnitFile), filepath.Join(o.ReportDir, CucumberFile), filepath.Join(o.ReportDir, HTMLFile))
		}
	}
	return res
}
