package conformance

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// sightless is a target that can observe nothing at all.
type sightless struct{ *targets.InProcess }

func (sightless) Name() string { return "sightless" }

func (sightless) Run(context.Context, *targets.Input) (*targets.Observation, error) {
	return nil, fmt.Errorf("%w: this target sees nothing", targets.ErrCannot)
}

// TestGateNeverPassesWhatItDidNotCheck covers the ways a run could exit 0
// without checking anything.
func TestGateNeverPassesWhatItDidNotCheck(t *testing.T) {
	tests := []struct {
		name    string
		target  targets.Target
		tags    string
		status  int
		summary string // in the output
		errText string // on stderr
	}{
		{"nothing observable", sightless{targets.NewInProcess()}, "@signup", ExitFailed, "skipped: not fully observable by the sightless target", "no expectation was checked"},
		{"a tag that matches nothing", targets.NewInProcess(), "@nosuchtag", ExitUsage, "", "selects no scenario"},
		{"Cucumber's syntax", targets.NewInProcess(), "not @alias", ExitUsage, "", "Cucumber's words"},
		{"a tag godog would panic on", targets.NewInProcess(), "@@@", ExitUsage, "", "not a tag"},
		{"partly observable still passes", blind{targets.NewInProcess()}, "@alias", ExitPass, "skipped: not fully observable by the blind target", ""},
		{"all observable", targets.NewInProcess(), "@sources", ExitPass, "3 scenarios (3 passed)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			res := Run(context.Background(), Options{Target: tt.target, Content: autoconfirm.Content(), Format: "progress", Tags: tt.tags,
				Concurrency: 4, Output: &out, Errors: &errs, NoColors: true})
			if res.Status != tt.status {
				t.Errorf("status %d, want %d\n%s%s", res.Status, tt.status, out.String(), errs.String())
			}
			if !strings.Contains(out.String(), tt.summary) || !strings.Contains(errs.String(), tt.errText) {
				t.Errorf("output lacks %q or errors lack %q:\n%s\n%s", tt.summary, tt.errText, out.String(), errs.String())
			}
		})
	}
}

// liar verifies every email address, whatever the handler said.
type liar struct{ *targets.InProcess }

func (liar) Name() string { return "liar" }

func (l liar) Run(ctx context.Context, in *targets.Input) (*targets.Observation, error) {
	obs, err := l.InProcess.Run(ctx, in)
	if obs != nil && obs.EmailVerified != nil {
		yes := true
		obs.EmailVerified = &yes
	}
	return obs, err
}

// TestFailureSummary checks that a failure is listed after the run with its
// place, Examples row, event, step and what was expected.
func TestFailureSummary(t *testing.T) {
	var out bytes.Buffer
	res := Run(context.Background(), Options{Target: liar{targets.NewInProcess()}, Content: autoconfirm.Content(), Format: "progress", Tags: "@signup",
		Concurrency: 4, Output: &out, Errors: &out, NoColors: true})
	if res.Status != ExitFailed {
		t.Fatalf("status %d, want %d", res.Status, ExitFailed)
	}
	s := out.String()
	summary := s[strings.Index(s, "FAILED:"):]
	for _, want := range []string{
		"A user whose email address is empty",
		"where:   features/sign_up.feature, line 66, Examples row at line",
		"| A user whose email address is empty | empty-email | is not | is |",
		"event:   fixtures/empty-email.json",
		"step:    the email address is not verified",
		"error:   expected autoVerifyEmail to stay unset, but it was set",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("the failure summary lacks %q:\n%s", want, summary)
		}
	}
}

// denied is a target whose pool may not invoke its trigger: every sign-up
// meets a set-up error. It counts the sign-ups it was asked for.
type denied struct {
	*targets.InProcess
	calls *atomic.Int64
}

func (denied) Name() string { return "denied" }

func (d denied) Run(context.Context, *targets.Input) (*targets.Observation, error) {
	d.calls.Add(1)
	return nil, fmt.Errorf("%w: the pool may not invoke its trigger", targets.ErrSetup)
}

// TestSetupErrorIsNoVerdict: a set-up that no scenario can get past ends the
// run with exit 2 and its reason, no verdict and no reports, and the
// scenarios after it do not try again.
func TestSetupErrorIsNoVerdict(t *testing.T) {
	var calls atomic.Int64
	var out, errs bytes.Buffer
	dir := t.TempDir()
	res := Run(context.Background(), Options{Target: denied{targets.NewInProcess(), &calls}, Content: autoconfirm.Content(), Format: "progress",
		Output: &out, Errors: &errs, NoColors: true, ReportDir: dir})
	if res.Status != ExitUsage {
		t.Errorf("status %d, want %d", res.Status, ExitUsage)
	}
	if !strings.Contains(errs.String(), "the pool may not invoke its trigger") || strings.Contains(out.String(), "VERDICT") {
		t.Errorf("the run does not stop on the set-up error alone:\n%s\n%s", out.String(), errs.String())
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the target was asked for %d sign-ups; after the set-up error, none more", n)
	}
	if _, err := os.Stat(filepath.Join(dir, RunFile)); err == nil {
		t.Error("a run without a verdict wrote run.json")
	}
}
