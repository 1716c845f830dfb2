package samtemplate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConditionCycles: Conditions that refer to each other, in any of the
// ways a condition can name another, are refused with the cycle named,
// rather than evaluated until the stack overflows; a condition named twice
// without a cycle is read.
func TestConditionCycles(t *testing.T) {
	fn := `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: .
      Environment:
        Variables:
          X: !If [A, yes, no]
`
	for _, tt := range []struct {
		name, conditions, err string
	}{
		{"itself", "  A: !Condition A\n", "A → A"},
		{"two, short form", "  A: !And [!Condition B, !Equals [a, a]]\n  B: !Not [!Condition A]\n", "A → B → A"},
		{"two, long form", "  A:\n    Fn::Or: [{Condition: B}, {Fn::Equals: [a, b]}]\n  B:\n    Fn::Not: [{Condition: A}]\n", "A → B → A"},
		{"through an Fn::If in an Equals", "  A: !Equals [!If [B, x, y], x]\n  B: !Equals [!If [C, x, y], x]\n  C: !Condition A\n", "A → B → C → A"},
		{"a diamond, no cycle", "  A: !And [!Condition B, !Condition C]\n  B: !Condition D\n  C: !Not [!Condition D]\n  D: !Equals [a, a]\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(path, []byte("Conditions:\n"+tt.conditions+fn), 0o644); err != nil {
				t.Fatal(err)
			}
			tp, err := Read(path, nil)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if f, err := tp.Function(""); err != nil || f.Env["X"] != "no" {
					t.Errorf("X = %q, %v", f.Env["X"], err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "in a cycle, "+tt.err+",") {
				t.Fatalf("error %v, want the cycle %s named", err, tt.err)
			}
		})
	}
}
