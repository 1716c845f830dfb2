package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// leftBehind is the end of a run whose pool still holds some test users.
type leftBehind int

func (n leftBehind) Users(context.Context) (int, int, error) { return int(n), 0, nil }
func (leftBehind) Stats() string                             { return "the handler answered 3 invocations" }

// TestConcludeRecordsFinalStatus: run.json is written once the run's status
// is final, after the check for test users left in the pool, so a run that
// passed every profile but left a user behind is recorded, and summarised,
// as the failure it exits with.
func TestConcludeRecordsFinalStatus(t *testing.T) {
	for _, tt := range []struct {
		name     string
		left     leftBehind
		status   int
		headline string
	}{
		{"nothing left", 0, conformance.ExitPass, "✅ PASS"},
		{"a user left in the pool", 1, conformance.ExitFailed, "❌ FAIL (exit 1)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var depths []depth
			for _, name := range []string{"pool", "lambda"} {
				res := conformance.Run(context.Background(), conformance.Options{Target: targets.NewInProcess(), Content: autoconfirm.Content(), Format: "progress", Tags: "@sources",
					Output: io.Discard, Errors: io.Discard, NoColors: true, ReportDir: filepath.Join(dir, name), Brief: true})
				if res.Status != conformance.ExitPass || res.Record == nil {
					t.Fatalf("the %s depth's run: status %d", name, res.Status)
				}
				depths = append(depths, depth{name: name, status: res.Status, record: res.Record})
			}
			var stderr bytes.Buffer
			r := &run{o: Options{ReportDir: dir}, stdout: io.Discard, stderr: &stderr}
			status, err := r.conclude(context.Background(), depths, tt.left)
			if err != nil || status != tt.status {
				t.Fatalf("status %d (%v), want %d", status, err, tt.status)
			}
			var rec struct {
				Status *int     `json:"status"`
				Notes  []string `json:"notes"`
			}
			b, _ := os.ReadFile(filepath.Join(dir, conformance.RunFile))
			if err := json.Unmarshal(b, &rec); err != nil || rec.Status == nil || *rec.Status != tt.status {
				t.Fatalf("run.json records status %s (%v), want %d", b, err, tt.status)
			}
			if tt.left > 0 && !strings.Contains(strings.Join(rec.Notes, "\n"), "left in the pool") {
				t.Errorf("run.json does not say why: %q", rec.Notes)
			}
			d, err := conformance.ReadRuns(dir)
			if err != nil {
				t.Fatal(err)
			}
			var md bytes.Buffer
			d.Markdown(&md)
			if !strings.Contains(md.String(), "### autoconfirm conformance: "+tt.headline+"\n") {
				t.Errorf("the summary's headline is not %q:\n%s", tt.headline, md.String())
			}
		})
	}
}

// TestNoticeDocument: the document the one-line notice points to holds
// every difference --verbose prints, and the line counts them.
func TestNoticeDocument(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", NoticeDoc))
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(strings.ReplaceAll(string(b), "`", "")), " ")
	items := strings.Split(EmulatorDifferences, "\n  - ")[1:]
	for _, item := range items {
		if want := strings.Join(strings.Fields(item), " "); !strings.Contains(doc, want) {
			t.Errorf("%s lacks %q", NoticeDoc, want)
		}
	}
	if want := fmt.Sprintf("differs in %d ways", len(items)); !strings.Contains(NoticeLine(), want) || len(items) < 5 {
		t.Errorf("the notice line %q does not say %q", NoticeLine(), want)
	}
}

// planted is the end of a run whose handler made users of its own.
type planted struct{ leftBehind }

func (planted) Users(context.Context) (int, int, error) { return 0, 2, nil }

// TestSummarizeNamesUsersTheHandlerMade: users the handler made in the
// pool itself are not the run's to delete, and the run says they are
// there, which on a real pool they would stay (red team round 24).
func TestSummarizeNamesUsersTheHandlerMade(t *testing.T) {
	for _, tt := range []struct {
		name string
		end  ending
		want bool
	}{
		{"none made", leftBehind(0), false},
		{"two made", planted{}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			r := &run{stdout: &out, stderr: io.Discard}
			status, _ := r.summarize(context.Background(), tt.end, conformance.ExitPass)
			said := strings.Contains(out.String(), "the handler itself made 2 user(s) in the pool")
			if status != conformance.ExitPass || said != tt.want {
				t.Errorf("status %d, said so %t, want %t:\n%s", status, said, tt.want, out.String())
			}
		})
	}
}
