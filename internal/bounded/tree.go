package bounded

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

const (
	// FixtureFiles is this runner's limit on the events in a fixtures
	// directory, 1 000: diff holds every one in memory, and the built-in
	// fixtures are some sixty.
	FixtureFiles = 1000
	// FixtureBytes is this runner's limit on a fixtures directory's events
	// together, 64 MiB: ten of Lambda's largest payloads, where the
	// built-in fixtures hold under 64 KiB.
	FixtureBytes int64 = 64 << 20
	// FeatureFiles is this runner's limit on the feature files in a
	// features directory, 200: the built-in features are a handful.
	FeatureFiles = 200
	// TableRows is this runner's limit on the scenarios and table rows
	// (lines that start with Scenario, Example or "|") of a features
	// directory together, 5 000: each scenario and each Examples row
	// becomes a scenario held in memory, and a 1 MiB file of rows alone
	// holds a hundred thousand. The built-in features hold about two
	// hundred.
	TableRows = 5000
	// FixtureDepth is this runner's limit on how deep a fixture's JSON
	// nests, 32: an event Cognito sends nests 3 deep
	// (request.userAttributes.email), and Go's JSON reader refuses past
	// 10,000, which made such a scenario a skip, not a verdict (red team
	// round 23).
	FixtureDepth = 32
)

const (
	// FeatureRule and FixtureRule name a feature file's and a fixture's
	// size limits for the error.
	FeatureRule = "this runner's limit on a feature file (docs/cognito-rules.md §17); split it into several"
	FixtureRule = "Lambda's 6 MB limit on an invocation's payload (docs/cognito-rules.md §17); Cognito sends far smaller events"
)

// FeatureTree is the limits on a directory of feature files: each file's,
// their count, and their table rows together, since every Examples row
// becomes a scenario held in memory.
func FeatureTree() Tree {
	return Tree{Ext: ".feature", File: Feature, FileRule: FeatureRule, Files: FeatureFiles, Rows: TableRows,
		Rule: "this runner's limit on a features directory (docs/cognito-rules.md §17); keep the scenarios that tell cases apart, or run the files in several runs"}
}

// FixtureTree is the limits on a directory of fixtures: each file's, and
// their count and bytes together, since diff holds every event in memory.
func FixtureTree() Tree {
	return Tree{Ext: ".json", File: Fixture, FileRule: FixtureRule, Files: FixtureFiles, Bytes: FixtureBytes, Depth: FixtureDepth,
		Rule: "this runner's limit on a fixtures directory (docs/cognito-rules.md §17); keep the events that tell cases apart"}
}

// ErrTooMany marks a directory that holds more files, bytes or rows than
// its limit.
var ErrTooMany = errors.New("over its limit")

// Tree is a directory of inputs of one kind, and its limits.
type Tree struct {
	// Ext names the files counted, such as ".json".
	Ext string
	// File is each file's size limit, and FileRule names it.
	File     int64
	FileRule string
	// Files is how many files it may hold; Bytes, when not 0, how many
	// bytes they may hold together; Rows, when not 0, how many table rows.
	Files int
	Bytes int64
	Rows  int
	// Depth, when not 0, is how deep each file's JSON may nest.
	Depth int
	// Rule names the directory's limits for the error.
	Rule string
}

// CheckTree refuses the files named *t.Ext below the root of fsys when one
// is over its size limit or is not a file, or when together they are over
// the tree's limits, before anything else reads them. Only counting rows
// reads them, one at a time.
func CheckTree(fsys fs.FS, t Tree) error {
	var files, rows int
	var total int64
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != t.Ext {
			return err
		}
		if files++; files > t.Files {
			return fmt.Errorf("%w: more than %d %s files (at %s), %s", ErrTooMany, t.Files, t.Ext, p, t.Rule)
		}
		if err := Check(fsys, p, t.File, t.FileRule); err != nil {
			return err
		}
		st, err := fs.Stat(fsys, p)
		if err != nil {
			return err
		}
		if total += st.Size(); t.Bytes > 0 && total > t.Bytes {
			return fmt.Errorf("%w: more than %d bytes of %s files together (at %s), %s", ErrTooMany, t.Bytes, t.Ext, p, t.Rule)
		}
		if t.Depth > 0 {
			if err := checkDepth(fsys, p, t); err != nil {
				return err
			}
		}
		if t.Rows == 0 {
			return nil
		}
		n, err := tableRows(fsys, p, t.File, t.FileRule)
		if rows += n; err == nil && rows > t.Rows {
			err = fmt.Errorf("%w: more than %d scenarios and table rows (lines that start with Scenario, Example or |) together (at %s), %s", ErrTooMany, t.Rows, p, t.Rule)
		}
		return err
	})
}

// checkDepth refuses a JSON file of fsys that nests deeper than t.Depth.
func checkDepth(fsys fs.FS, name string, t Tree) error {
	b, err := ReadFS(fsys, name, t.File, t.FileRule)
	if err != nil {
		return err
	}
	if d := jsonDepth(b); d > t.Depth {
		return fmt.Errorf("%s nests %d deep, past this runner's limit of %d (docs/cognito-rules.md §17): an event Cognito sends nests 3 deep", name, d, t.Depth)
	}
	return nil
}

// jsonDepth is how deep b's arrays and objects nest, strings skipped.
func jsonDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString:
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// tableRows counts the lines of the file at name whose trimmed text starts
// with "|": Gherkin's table rows, each Examples row a scenario.
func tableRows(fsys fs.FS, name string, limit int64, rule string) (int, error) {
	b, err := ReadFS(fsys, name, limit, rule)
	if err != nil {
		return 0, err
	}
	n := 0
	for line := range bytes.Lines(b) {
		if t := bytes.TrimSpace(line); bytes.HasPrefix(t, []byte("|")) || scenarioLine(t) {
			n++
		}
	}
	return n, nil
}

// Dir is the files below dir, as os.DirFS gives them, except that a link
// leading out of dir is refused rather than followed (os.Root): a fixture
// or feature linked to a file of this machine's (a credentials JSON, a
// checkout's .git/config) would otherwise be sent to the handler, or quoted
// in an error, and land in the reports.
func Dir(dir string) (fs.FS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return outside{root.FS(), dir}, nil
}

// outside says, of a link that leads out of the directory, what is wrong
// and what to do.
type outside struct {
	fs.FS
	dir string
}

// Open opens a file. A FIFO or a socket is refused before it is opened:
// opening a FIFO waits for a writer, for ever, and signals do not stop it
// (red team round 22).
func (o outside) Open(name string) (fs.File, error) {
	if err := openable(o, name, o.dir+"/"+name); err != nil {
		return nil, err
	}
	f, err := o.FS.Open(name)
	if err != nil && strings.Contains(err.Error(), "escapes") {
		return nil, fmt.Errorf("%s/%s links outside %s, which is not read (docs/cognito-rules.md §17): copy the file into the directory: %w", o.dir, name, o.dir, err)
	}
	return f, err
}

// Stat is the root's, which does not open the file.
func (o outside) Stat(name string) (fs.FileInfo, error) {
	return o.FS.(fs.StatFS).Stat(name)
}

// scenarioLine reports whether a trimmed line starts a scenario: each one,
// like each Examples row, is a scenario held in memory.
func scenarioLine(line []byte) bool {
	for _, k := range []string{"Scenario:", "Scenario Outline:", "Scenario Template:", "Example:"} {
		if bytes.HasPrefix(line, []byte(k)) {
			return true
		}
	}
	return false
}
