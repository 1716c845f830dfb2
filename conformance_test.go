package autoconfirm_test

import (
	"context"
	"flag"
	"testing"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// godogTags selects scenarios by tag: go test -run 'TestFeatures$' . -args -godog.tags=@sources
var godogTags = flag.String("godog.tags", "", "run only the scenarios this godog tag expression selects")

func runFeatures(t *testing.T, target targets.Target, tags string) {
	t.Helper()
	if *godogTags != "" {
		if tags != "" {
			tags += " && "
		}
		tags += *godogTags
	}
	res := conformance.Run(context.Background(), conformance.Options{
		Target:      target,
		Content:     autoconfirm.Content(),
		Format:      "progress",
		Tags:        tags,
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

// TestFeatures runs every feature against the handler in process, in its
// default lookup mode (AdminGetUser). Each scenario is a subtest:
// go test -run 'TestFeatures/<scenario name>'.
func TestFeatures(t *testing.T) {
	runFeatures(t, targets.NewInProcess(), "")
}

// TestAliasFeaturesListUsers runs the alias features again with
// ALIAS_LOOKUP=list-users.
func TestAliasFeaturesListUsers(t *testing.T) {
	runFeatures(t, &targets.InProcess{Lookup: handler.LookupListUsers}, "@alias")
}
