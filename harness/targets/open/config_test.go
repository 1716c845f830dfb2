package open

import (
	"context"
	"testing"
)

// TestRegionFromPoolID: without a region from the environment or a profile,
// the pool id names it.
func TestRegionFromPoolID(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	for pool, want := range map[string]string{"eu-west-2_AbC123": "eu-west-2", "us-gov-west-1_x": "us-gov-west-1", "local_3AbdDMqo": "", "": ""} {
		cfg, err := Config(context.Background(), pool)
		if cfg.Region != want || (want == "") != (err != nil) {
			t.Errorf("pool %q: region %q, %v; want %q", pool, cfg.Region, err, want)
		}
	}
}
