package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestTemplateLocalRefs: a variable naming the template's own pool or client
// becomes a placeholder that the stack fills in, and the run says so once; a
// variable given with --env keeps its value; a reference to anything else
// still needs --env.
func TestTemplateLocalRefs(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "code"), 0o755)
	template := `
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref UserPool}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: code
      Runtime: nodejs22.x
      Handler: index.handler
      Architectures: [` + map[string]string{"amd64": "x86_64", "arm64": "arm64"}[runtime.GOARCH] + `]
      Environment:
        Variables:
          USER_POOL_ID: !Ref UserPool
          POOL_ARN: !GetAtt UserPool.Arn
          CLIENT_ID: !Ref Client
          GIVEN: !Ref UserPool
`
	path := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(path, []byte(template), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		env  []string
		said string
		err  string
	}{
		{name: "own pool and client", args: []string{"--env", "GIVEN=mine"},
			env:  []string{"CLIENT_ID=@client-id", "POOL_ARN=@pool-arn", "USER_POOL_ID=@pool-id", "GIVEN=mine"},
			said: "local: the template's own user pool is the local one: CLIENT_ID (!Ref Client) is the local app client's id, POOL_ARN (!GetAtt UserPool.Arn) is its ARN, USER_POOL_ID (!Ref UserPool) is the local pool's id\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var o localOptions
			fs := flag.NewFlagSet("local", flag.ContinueOnError)
			fs.Var(&o.env, "env", "")
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			o.template = path
			var out bytes.Buffer
			cleanup, err := fromTemplate(&o, fs, &out)
			defer cleanup()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(o.env, tt.env) {
				t.Errorf("env %q, want %q", o.env, tt.env)
			}
			if lines := strings.Count(out.String(), "the template's own user pool"); lines != 1 || !strings.Contains(out.String(), tt.said) {
				t.Errorf("said %q, want once %q", out.String(), tt.said)
			}
		})
	}
}

// TestTemplateFailedExtraction: a CodeUri zip that cannot be unpacked is a
// usage error, and leaves no temporary directory behind.
func TestTemplateFailedExtraction(t *testing.T) {
	dir, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if err := os.WriteFile(filepath.Join(dir, "code.zip"), []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	template := "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: " + filepath.Join(dir, "code.zip") +
		"\n      Runtime: python3.12\n      Handler: app.handler\n      Architectures: [" + map[string]string{"amd64": "x86_64", "arm64": "arm64"}[runtime.GOARCH] + "]\n"
	path := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(path, []byte(template), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := run(t.Context(), []string{"local", "--template", path, "--report-dir", t.TempDir()}, func(string) string { return "" }, &out, &out); code != 2 {
		t.Errorf("exit %d, want 2:\n%s", code, out.String())
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		t.Errorf("left %s in TMPDIR", e.Name())
	}
}
