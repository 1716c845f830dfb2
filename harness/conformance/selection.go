package conformance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/autoconfirm/autoconfirm/steps"
)

// checkSelection refuses a tag expression that is malformed or selects no
// scenario, and a profile that no scenario carries: either would otherwise end
// in a run that checked nothing and exited 0, or in a panic inside godog's tag
// parser. It narrows the suite's tags to the profiles, and returns the parsed
// features, for the failure summary, and what the profiles left out.
func checkSelection(ts *godog.TestSuite, tags string, profiles []string, explicit bool) ([]*messages.GherkinDocument, claim, error) {
	c := claim{asked: profiles, unclaimed: map[string]int{}, picked: map[string]int{}}
	var expr tagExpr
	if strings.TrimSpace(tags) != "" {
		var err error
		if expr, err = parseTags(tags); err != nil {
			return nil, c, err
		}
	}
	all := *ts.Options
	all.Tags = ""
	probe := *ts
	probe.Options = &all
	retrieved, err := probe.RetrieveFeatures()
	if err != nil {
		return nil, c, fmt.Errorf("reading the features: %w", err)
	}
	var features []feature
	for _, f := range retrieved {
		features = append(features, feature{f.GherkinDocument, f.Pickles})
	}
	narrowed := withProfiles(expr, profiles)
	docs, known, selected := pick(features, expr, narrowed, &c)
	if err := undefinedIn(features); err != nil {
		return nil, c, err
	}
	for _, p := range profiles {
		if !known["@"+p] {
			return nil, c, fmt.Errorf("no scenario belongs to the profile %q, so claiming it would check nothing; the built-in profiles are %s, and a team's own features may tag their scenarios with profiles of their own", p, strings.Join(BuiltinProfiles, ", "))
		}
	}
	if !selected {
		if len(profiles) > 0 && expr != nil {
			return nil, c, fmt.Errorf("the tag expression %q selects no scenario of the profiles %s, so the run would check nothing", tags, strings.Join(profiles, ","))
		}
		return nil, c, selectionError(tags, known)
	}
	if err := c.leftOut(tags, explicit); expr != nil && err != nil {
		return nil, c, err
	}
	if narrowed != nil {
		ts.Options.Tags = narrowed.String()
	}
	return docs, c, nil
}

// feature is a feature file's document and scenarios, as godog read them.
type feature struct {
	*messages.GherkinDocument
	Pickles []*messages.Pickle
}

// pick counts, in c, the scenarios the tags and the profiles select and
// those the profiles leave out; it returns the features' documents, every
// tag they use, and whether any scenario was selected.
func pick(features []feature, expr, narrowed tagExpr, c *claim) ([]*messages.GherkinDocument, map[string]bool, bool) {
	var docs []*messages.GherkinDocument
	known := map[string]bool{}
	selected := false
	for _, f := range features {
		docs = append(docs, f.GherkinDocument)
		for _, p := range f.Pickles {
			var names []string
			for _, t := range p.Tags {
				names = append(names, t.Name)
				known[t.Name] = true
			}
			if expr != nil && !expr.match(names) {
				continue
			}
			if narrowed == nil || narrowed.match(names) {
				selected = true
				c.pick(names)
				continue
			}
			c.unclaimed[profileOf(names)]++
		}
	}
	return docs, known, selected
}

// undefinedIn refuses features whose steps match no phrase.
func undefinedIn(features []feature) error {
	var undefined []string
	for _, f := range features {
		for _, p := range f.Pickles {
			var texts []string
			for _, s := range p.Steps {
				texts = append(texts, s.Text)
			}
			undefined = append(undefined, undefinedSteps(f.Uri, p.Name, texts)...)
		}
	}
	if len(undefined) == 0 {
		return nil
	}
	slices.Sort(undefined)
	undefined = slices.Compact(undefined)
	return fmt.Errorf("%d step(s) match no phrase:\n%s\n`autoconfirm-conformance steps` lists every phrase with an example", len(undefined), strings.Join(undefined, "\n"))
}

// profileOf names the built-in profile a scenario's tags carry; for a team's
// scenario without one, its first tag, which is its feature's; or "".
func profileOf(tags []string) string {
	for _, t := range tags {
		if slices.Contains(BuiltinProfiles, strings.TrimPrefix(t, "@")) {
			return strings.TrimPrefix(t, "@")
		}
	}
	if len(tags) > 0 {
		return strings.TrimPrefix(tags[0], "@")
	}
	return ""
}

// undefinedSteps names a scenario's steps that match no phrase, each with
// the closest phrase: a typo is the feature's mistake, a usage error, not a
// scenario that failed.
func undefinedSteps(uri, scenario string, texts []string) []string {
	var lines []string
	undefined, closest := steps.Undefined(texts)
	for i, u := range undefined {
		lines = append(lines, fmt.Sprintf("  %s, %q: the step %q matches no phrase; the closest is %q (e.g. %s %s)",
			uri, scenario, u, closest[i].Pattern, closest[i].Keyword, closest[i].Example))
	}
	return lines
}
