// Command actionsh runs shellcheck on the shell steps of a composite
// action's action.yml, which actionlint does not read, and on the scripts
// given after it: make lint runs it on action.yml and .github/action/run.sh.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: actionsh action.yml [script.sh ...]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "actionsh:", err)
		os.Exit(1)
	}
}

// action is what of action.yml names its shell steps.
type action struct {
	Runs struct {
		Using string
		Steps []struct {
			Name, Shell, Run string
		}
	}
}

func run(path string, scripts []string) error {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		return fmt.Errorf("shellcheck is not installed: on Debian or Ubuntu, apt-get install shellcheck (make local-tools does)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var a action
	if err := yaml.Unmarshal(b, &a); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if a.Runs.Using != "composite" {
		return fmt.Errorf("%s: runs.using is %q, not composite", path, a.Runs.Using)
	}
	dir, err := os.MkdirTemp("", "actionsh-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	files := append([]string(nil), scripts...)
	for i, s := range a.Runs.Steps {
		if s.Run == "" {
			continue
		}
		if s.Shell != "bash" {
			return fmt.Errorf("%s: step %q runs with shell %q; give it shell: bash", path, s.Name, s.Shell)
		}
		f := filepath.Join(dir, fmt.Sprintf("step-%d.sh", i+1))
		if err := os.WriteFile(f, []byte("#!/usr/bin/env bash\n# "+s.Name+"\n"+s.Run), 0o644); err != nil {
			return err
		}
		files = append(files, f)
	}
	cmd := exec.Command("shellcheck", append([]string{"--shell=bash", "--severity=style"}, files...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("shellcheck found problems in %s's steps or its scripts: %w", path, err)
	}
	fmt.Printf("actionsh: shellcheck passed %d script(s) and step(s)\n", len(files))
	return nil
}
