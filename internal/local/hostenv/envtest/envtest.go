// Package envtest lets a test put fake tools first on PATH that record the
// environment they were started with, and check that no host secret set in
// the test's environment reached any of them.
package envtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Secrets are the host variables a CI job may hold that no process `local`
// starts may see; the values are what the dumps are searched for.
var Secrets = map[string]string{
	"AWS_ACCESS_KEY_ID":     "AKIAHOSTSECRETENVTEST",
	"AWS_SECRET_ACCESS_KEY": "host-secret-access-key-envtest",
	"AWS_SESSION_TOKEN":     "host-session-token-envtest",
	"GITHUB_TOKEN":          "ghp_hostsecretenvtest",
	"COGNITO_CLIENT_SECRET": "host-client-secret-envtest",
	"NODE_OPTIONS":          "--require=/host-node-options-envtest",
}

// Tools is a directory of fake tools first on the test's PATH, each of
// which writes its environment into Log before it runs its script.
type Tools struct {
	Dir, Log string
}

// Hostile sets Secrets in the test's environment and returns an empty
// directory of fake tools, put first on PATH.
func Hostile(t *testing.T) *Tools {
	t.Helper()
	for k, v := range Secrets {
		t.Setenv(k, v)
	}
	tools := &Tools{Dir: t.TempDir(), Log: t.TempDir()}
	t.Setenv("PATH", tools.Dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return tools
}

// Add writes the fake tool name into Dir; script is sh run after the dump.
func (tl *Tools) Add(t *testing.T, name, script string) string {
	t.Helper()
	return Write(t, filepath.Join(tl.Dir, name), name, tl.Log, script)
}

// Write writes a fake tool at path that dumps its environment into log
// under name, then runs script.
func Write(t *testing.T, path, name, log, script string) string {
	t.Helper()
	body := "#!/bin/sh\nenv > '" + filepath.Join(log, name) + ".'$$\n" + script + "\n"
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// Check fails the test for each dump that holds a secret, and returns the
// environments each tool ran with.
func (tl *Tools) Check(t *testing.T) map[string][]string {
	t.Helper()
	ran := map[string][]string{}
	dumps, _ := filepath.Glob(filepath.Join(tl.Log, "*"))
	for _, d := range dumps {
		name := strings.TrimSuffix(filepath.Base(d), filepath.Ext(d))
		b, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		ran[name] = append(ran[name], string(b))
		for k, v := range Secrets {
			if strings.Contains(string(b), v) {
				t.Errorf("%s was started with the host's %s", name, k)
			}
		}
	}
	return ran
}
