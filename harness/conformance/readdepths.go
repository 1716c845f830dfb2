package conformance

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// ReadDepths reads the report directories that runs at several depths
// wrote, one per name, dir/<name>, and judges each profile at the depths
// that could observe it: it fails when it failed or was vacuous at any of
// them, and passes when it passed at one and nothing went wrong at the
// others.
func ReadDepths(target, dir string, names ...string) (Depths, error) {
	dirs := make([]string, len(names))
	for i, n := range names {
		dirs[i] = filepath.Join(dir, n)
	}
	return judgeDepths(target, names, dirs)
}

// ReadRuns is ReadDepths for report directories given one by one, as
// `report` takes them: each is a depth named after its target, and a
// directory that local wrote stands for its depths.
func ReadRuns(dirs ...string) (Depths, error) {
	var names, paths, notes, sandbox []string
	var language Language
	status, known := ExitPass, true
	for _, dir := range dirs {
		rec, err := readRecord(dir)
		if err != nil {
			return Depths{}, err
		}
		if rec.Status == nil {
			known = false
		} else if *rec.Status != ExitPass && status == ExitPass {
			status = *rec.Status
		}
		notes = append(notes, rec.Notes...)
		if rec.Sandbox != "" {
			sandbox = append(sandbox, rec.Sandbox)
		}
		if rec.Language != "" {
			language = rec.Language
		}
		if len(rec.Depths) > 0 {
			sub, err := depthDirs(dir, rec)
			if err != nil {
				return Depths{}, err
			}
			names, paths = append(names, rec.Depths...), append(paths, sub...)
			continue
		}
		names, paths = append(names, rec.Target), append(paths, dir)
	}
	seen := make(map[string]bool, len(names))
	for i := range names { // two runs of one target stay apart
		if seen[names[i]] {
			names[i] = fmt.Sprintf("%s (%d)", names[i], i+1)
		}
		seen[names[i]] = true
	}
	d, err := judgeDepths("report", names, paths)
	if known {
		d.Status = &status
	}
	d.Notes = notes
	d.Sandbox = strings.Join(sandbox, "; ")
	d.Language = language
	return d, err
}

// CheckStatus refuses report directories whose run.json does not record
// the exit status want: a record that an earlier run left, or one written
// before its run's status was final, is not this run's.
func CheckStatus(want int, dirs ...string) error {
	for _, dir := range dirs {
		rec, err := readRecord(dir)
		if err != nil {
			return err
		}
		switch {
		case rec.Status == nil:
			return fmt.Errorf("%s records no exit status, so it is not the record of a run that exited %d", filepath.Join(dir, RunFile), want)
		case *rec.Status != want:
			return fmt.Errorf("%s records exit status %d, not %d: it is another run's record", filepath.Join(dir, RunFile), *rec.Status, want)
		}
	}
	return nil
}

// judgeDepths reads each depth's record from its directory, and judges
// them (JudgeDepths).
func judgeDepths(target string, names, dirs []string) (Depths, error) {
	recs := make([]Record, len(names))
	for i, name := range names {
		rec, err := readRecord(dirs[i])
		if err != nil {
			return Depths{}, fmt.Errorf("reading the %s depth's record: %w", name, err)
		}
		recs[i] = rec
	}
	return JudgeDepths(target, names, recs), nil
}

// WriteDepths records d as dir's run.json, beside the depths' own report
// directories, so that `report` can combine dir as it combines them. Call
// it once the run's status is final, with that status: a record is what
// the Action's summary is written from.
func WriteDepths(dir string, d Depths, status int) error {
	d.Status = &status
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, RunFile), b)
}

// readRecord reads a report directory's run.json.
func readRecord(dir string) (Record, error) {
	var rec Record
	b, err := bounded.ReadFile(filepath.Join(dir, RunFile), bounded.Record, "this runner's limit on a run.json (docs/cognito-rules.md §17); give the directory a run wrote")
	if err != nil {
		return rec, fmt.Errorf("%s is not a report directory: %w", dir, err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, fmt.Errorf("%s: %w", filepath.Join(dir, RunFile), err)
	}
	return rec, nil
}
