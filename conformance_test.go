package autoconfirm_test

import (
	"testing"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/conformance"
	"github.com/autoconfirm/autoconfirm/targets"
)

// TestFeatures runs every feature against the handler in process. Each
// scenario is a subtest: go test -run 'TestFeatures/<scenario name>'.
func TestFeatures(t *testing.T) {
	res := conformance.Run(conformance.Options{
		Target:      targets.NewInProcess(),
		Content:     autoconfirm.Content(),
		Format:      "progress",
		Concurrency: 4,
		Seed:        -1,
		NoColors:    true,
		TestingT:    t,
	})
	if res.Status != conformance.ExitPass {
		t.Fatalf("conformance run failed with status %d", res.Status)
	}
	// In process everything is observable: a skip here hides a check.
	for _, s := range res.Skips {
		t.Errorf("scenario %q skipped a step in process: %s", s.Scenario, s.Reason)
	}
}
