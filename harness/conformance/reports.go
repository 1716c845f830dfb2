package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/harness/report"
	"github.com/autoconfirm/autoconfirm/steps"

	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// The files a run writes into its report directory.
const (
	JUnitFile    = "junit.xml"
	CucumberFile = "cucumber.json"
	HTMLFile     = "report.html"
	RunFile      = "run.json"
)

// Record is what a run found at one depth: what its report directory
// remembers in run.json, so that several can be combined later, and what
// Run returns, so that a caller in the same process combines them at once.
type Record struct {
	Target   string            `json:"target"`
	Revision string            `json:"revision"`
	Finished time.Time         `json:"finished"`
	Skips    map[string]string `json:"skips"`
	// Implementation names what was tested.
	Implementation string `json:"implementation,omitempty"`
	// Profiles are the profiles judged; NotClaimed counts, by profile, the
	// scenarios left out.
	Profiles   []string       `json:"profiles,omitempty"`
	NotClaimed map[string]int `json:"not_claimed,omitempty"`
	// Control is what became of the control sign-up; Accepted counts, per
	// profile, the scenarios that sent a sign-up and those accepted.
	Control  string            `json:"control,omitempty"`
	Accepted map[string][2]int `json:"accepted,omitempty"`
	// SignUps are the PreSignUp_SignUp sign-ups sent and accepted, the
	// control included.
	SignUps [2]int `json:"signups"`
	// Verdicts has one row per claimed profile.
	Verdicts []steps.Verdict `json:"verdicts,omitempty"`
	// Failures lists each failed scenario once, with this depth.
	Failures []FailedScenario `json:"failures"`
	// Pool names the pool's shape, when the run was given one;
	// NotApplicable the scenarios it left out, with why (rules §9).
	Pool          string            `json:"pool,omitempty"`
	NotApplicable map[string]string `json:"not_applicable,omitempty"`
	// FunctionErrors lists each scenario in which the function errored,
	// crashed or refused, pass or fail.
	FunctionErrors []ErroredScenario `json:"function_errors"`
	// Depths, in a directory that local wrote (see Depths), names the
	// subdirectories that hold the depths' own reports.
	Depths []string `json:"depths,omitempty"`
	// Status is the run's exit status, written once it is final; Notes say
	// why it failed beyond its verdicts (see Depths).
	Status *int     `json:"status,omitempty"`
	Notes  []string `json:"notes,omitempty"`
	// Sandbox, in a directory that local wrote, says whether the handler
	// ran in a sandbox (see Depths).
	Sandbox string `json:"sandbox,omitempty"`
	// FlagsSet counts, per response flag, the accepted answers that set it
	// (see Advice); nil in a record from before runs counted them.
	FlagsSet map[string]int `json:"flags_set,omitempty"`
	// Language, in a directory that local wrote, is the handler's (see
	// Depths).
	Language Language `json:"language,omitempty"`
}

// claimText says what a run judged, for the report.
func (r Record) claimText() string {
	if len(r.Profiles) == 0 {
		return ""
	}
	s := "profiles judged: " + strings.Join(r.Profiles, ", ")
	if len(r.NotClaimed) > 0 {
		var parts []string
		for p, n := range r.NotClaimed {
			if p == "" {
				p = "no profile tag"
			}
			parts = append(parts, fmt.Sprintf("%s %d", p, n))
		}
		sort.Strings(parts)
		s += "; not claimed, so not run: " + strings.Join(parts, ", ")
	}
	if p := r.poolText(); p != "" {
		s += "; " + p
	}
	return s
}

func skipMap(items []steps.Skip) map[string]string {
	m := map[string]string{}
	for _, s := range items {
		if prev, ok := m[s.Scenario]; ok && !strings.Contains(prev, s.Reason) {
			m[s.Scenario] = prev + "; " + s.Reason
		} else {
			m[s.Scenario] = s.Reason
		}
	}
	return m
}

// writeReports finishes a report directory after godog's JUnit and cucumber
// files were copied there: it marks skips in the JUnit, records the run with
// its final status, and writes the HTML page. A report that cannot be
// written leaves no run.json, so that nothing reads the run as recorded.
// newRecord is a run's record, as it ended.
func newRecord(target, implementation string, status int, skips []steps.Skip, c claim, control string, tally *steps.Tally, verdicts []steps.Verdict, failures []FailedScenario, errs []ErroredScenario) Record {
	sent, accepted := tally.SignUps()
	return Record{Target: target, Revision: Revision(), Finished: time.Now(), Skips: skipMap(skips), Implementation: implementation,
		Profiles: c.asked, NotClaimed: c.unclaimed, Control: control, Accepted: tally.Accepted(), SignUps: [2]int{sent, accepted}, Verdicts: verdicts,
		Failures: append([]FailedScenario{}, failures...), Pool: c.pool, NotApplicable: c.notApplicable,
		FunctionErrors: append([]ErroredScenario{}, errs...), Status: &status, FlagsSet: tally.FlagsSet()}
}

// writeReports fixes the run's JUnit file, and writes run.json and the
// HTML page beside it.
func writeReports(dir string, rec Record) error {
	target := rec.Target
	junitPath := filepath.Join(dir, JUnitFile)
	b, err := os.ReadFile(junitPath)
	if err != nil {
		return err
	}
	if b, err = report.FixJUnit(b, rec.Skips, target, reportVerdicts(rec.Verdicts)); err != nil {
		return err
	}
	if b, err = report.AddFunctionErrors(b, target, reportErrors(rec.FunctionErrors)); err != nil {
		return err
	}
	if err := writeFile(junitPath, b); err != nil {
		return err
	}
	b, err = json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, RunFile), b); err != nil {
		removeStale(filepath.Join(dir, RunFile))
		return err
	}
	if err := Combine(filepath.Join(dir, HTMLFile), dir); err != nil {
		removeStale(filepath.Join(dir, RunFile))
		return err
	}
	return nil
}

// reportVerdicts are the verdict rows as the report package shows them.
func reportVerdicts(vs []steps.Verdict) []report.Verdict {
	var out []report.Verdict
	for _, v := range vs {
		out = append(out, report.Verdict{Profile: v.Profile, Verdict: v.Verdict, Accepted: v.Accepted, Sent: v.Sent, Failed: v.Failed})
	}
	return out
}

// Combine writes one HTML report, with a conformance matrix, from the report
// directories of one or more runs.
func Combine(out string, dirs ...string) error {
	var runs []report.Run
	meta := report.Meta{Revision: Revision(), Generated: time.Now()}
	for i := 0; i < len(dirs); i++ {
		dir := dirs[i]
		rec, err := readRecord(dir)
		if err != nil {
			return err
		}
		if len(rec.Depths) > 0 { // local's directory: combine its depths'
			sub, err := depthDirs(dir, rec)
			if err != nil {
				return err
			}
			dirs = slices.Insert(slices.Clone(dirs), i+1, sub...)
			continue
		}
		b, err := bounded.ReadFile(filepath.Join(dir, CucumberFile), bounded.Cucumber, "this runner's limit on a run's cucumber JSON (docs/cognito-rules.md §17); give the directory a run wrote")
		if err != nil {
			return err
		}
		features, err := report.ParseCucumber(b)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, CucumberFile), err)
		}
		runs = append(runs, report.Run{Target: rec.Target, Features: features, Skips: rec.Skips, Implementation: rec.Implementation, Claim: rec.claimText(), Verdicts: reportVerdicts(rec.Verdicts),
			Errors: reportErrors(rec.FunctionErrors)})
		meta.Revision = rec.Revision
	}
	var page bytes.Buffer
	if err := report.WriteHTML(&page, meta, runs); err != nil {
		return err
	}
	return writeFile(out, page.Bytes())
}

// Revision names the code under test: CONFORMANCE_REVISION or GITHUB_SHA if
// set, else the binary's VCS stamp, else git, else "unknown".
func Revision() string {
	for _, k := range []string{"CONFORMANCE_REVISION", "GITHUB_SHA"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && s.Value != "" {
				return s.Value
			}
		}
	}
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		rev := strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "status", "--porcelain").Output(); err == nil && len(st) > 0 {
			rev += "-dirty"
		}
		return rev
	}
	return "unknown"
}

// ClearReports removes, from dir, the files a run writes there, and nothing
// else, so that a report directory never shows an earlier run's files as if
// they were this one's.
func ClearReports(dir string) error {
	if err := NoLinkIn(dir); err != nil {
		return err
	}
	for _, f := range []string{RunFile, JUnitFile, CucumberFile, HTMLFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("clearing the report directory %s: %w", dir, err)
		}
	}
	return nil
}
