package conformance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// OwnFeatures is where a team's own feature files appear in a run's content,
// and so in its reports.
const OwnFeatures = "own-features"

// ownContent is the built-in content with a team's directories added: its
// feature files under OwnFeatures, and its fixtures in front of the built-in
// ones, so that a fixture of the same name is the team's.
type ownContent struct {
	base, features, fixtures fs.FS
}

// addOwn adds a team's feature and fixture directories to base. Each must
// exist; the features directory must hold at least one .feature file.
func addOwn(base fs.FS, features, fixtures string) (fs.FS, error) {
	c := ownContent{base: base}
	if features != "" {
		var err error
		if c.features, err = bounded.Dir(features); err != nil {
			return nil, fmt.Errorf("--features %s: no .feature file there (%w); give the directory that holds your feature files", features, err)
		}
		matches, err := fs.Glob(c.features, "*.feature")
		if err != nil || len(matches) == 0 {
			return nil, fmt.Errorf("--features %s: no .feature file there (%v); give the directory that holds your feature files", features, dirError(features, err))
		}
		if err := bounded.CheckTree(c.features, bounded.FeatureTree()); err != nil {
			return nil, fmt.Errorf("--features %s: %w", features, err)
		}
	}
	if fixtures != "" {
		if st, err := os.Stat(fixtures); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--fixtures %s: not a directory (%v); give the directory that holds your <name>.json events", fixtures, dirError(fixtures, err))
		}
		var err error
		if c.fixtures, err = bounded.Dir(fixtures); err != nil {
			return nil, fmt.Errorf("--fixtures %s: %w", fixtures, err)
		}
		if err := bounded.CheckTree(c.fixtures, bounded.FixtureTree()); err != nil {
			return nil, fmt.Errorf("--fixtures %s: %w", fixtures, err)
		}
	}
	return c, nil
}

const (
	featureRule = bounded.FeatureRule
	fixtureRule = bounded.FixtureRule
)

func dirError(dir string, err error) error {
	if err != nil {
		return err
	}
	if _, serr := os.Stat(dir); serr != nil {
		return serr
	}
	return errors.New("empty")
}

// Open implements fs.FS.
func (c ownContent) Open(name string) (fs.File, error) {
	if rel, ok := under(name, OwnFeatures); ok && c.features != nil {
		f, err := c.features.Open(rel)
		return limited(f, err, bounded.Feature, featureRule)
	}
	if rel, ok := under(name, "fixtures"); ok && rel != "." && c.fixtures != nil {
		f, err := c.fixtures.Open(rel)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return limited(f, err, bounded.Fixture, fixtureRule)
		}
	}
	return c.base.Open(name)
}

// limited is f, opened with err, read no further than limit.
func limited(f fs.File, err error, limit int64, rule string) (fs.File, error) {
	if err != nil {
		return nil, err
	}
	return bounded.LimitFile(f, limit, rule), nil
}

// under reports whether name is dir or inside it, and its path relative to dir.
func under(name, dir string) (string, bool) {
	if name == dir {
		return ".", true
	}
	if rel, ok := strings.CutPrefix(name, dir+"/"); ok {
		return path.Clean(rel), true
	}
	return "", false
}
