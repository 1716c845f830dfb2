package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMECommands checks every command the README and docs/ show
// against what it names: each autoconfirm-conformance subcommand and flag
// against that subcommand's --help, each make target against the Makefile,
// each path in this repository against the tree, and each input of the
// GitHub Action against action.yml. (The commands that need AWS or a
// deployed function are not run here; the e2e tests run the rest.)
func TestREADMECommands(t *testing.T) {
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	c := newCommandChecker(t)
	total := 0
	for _, name := range append([]string{"../../README.md"}, docs...) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		n := c.check(filepath.Base(name), string(b))
		t.Logf("%s: %d checked", filepath.Base(name), n)
		// The README shows the commands a team runs; it must keep them.
		if name == "../../README.md" && n < 25 {
			t.Errorf("only %d flags, targets, paths and inputs checked in README.md: its commands were not found", n)
		}
		total += n
	}
	t.Logf("%d flags, make targets, paths and action inputs checked", total)
}

// commandChecker knows what a command may name: the Makefile's targets,
// each subcommand's flags (read from its --help once), and the Action's
// inputs.
type commandChecker struct {
	t       *testing.T
	targets map[string]bool
	inputs  map[string]bool
	helps   map[string]map[string]bool
}

var (
	subcommands = map[string]bool{"local": true, "diff": true, "report": true, "cleanup": true, "steps": true, "rules": true}
	flagLine    = regexp.MustCompile(`(?m)^\s+-([a-z][a-z0-9-]*)`)
	// repoPath is an argument that names a file of this repository.
	repoPath = regexp.MustCompile(`^(\./)?(testdata|examples|cmd|internal|features|fixtures|deploy)/[^\s]*$`)
)

func newCommandChecker(t *testing.T) *commandChecker {
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	action, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	c := &commandChecker{t: t, targets: map[string]bool{}, inputs: map[string]bool{}, helps: map[string]map[string]bool{}}
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`).FindAllStringSubmatch(string(makefile), -1) {
		c.targets[m[1]] = true
	}
	_, in, _ := strings.Cut(string(action), "\ninputs:\n")
	for _, m := range regexp.MustCompile(`(?m)^  ([a-z][a-z0-9-]*):`).FindAllStringSubmatch(in, -1) {
		c.inputs[m[1]] = true
	}
	if len(c.targets) == 0 || len(c.inputs) == 0 {
		t.Fatal("read no make targets or no action inputs")
	}
	return c
}

func (c *commandChecker) flagsOf(sub string) map[string]bool {
	if f, ok := c.helps[sub]; ok {
		return f
	}
	var out bytes.Buffer
	args := []string{"--help"}
	if sub != "" {
		args = []string{sub, "--help"}
	}
	run(context.Background(), args, func(string) string { return "" }, &out, &out)
	f := map[string]bool{"help": true, "version": sub == ""}
	for _, m := range flagLine.FindAllStringSubmatch(out.String(), -1) {
		f[m[1]] = true
	}
	c.helps[sub] = f
	return f
}

// check checks one document's commands and Action steps, and returns how
// many names it checked.
func (c *commandChecker) check(doc, md string) int {
	checked := 0
	for _, cmd := range shellLines(md) {
		checked += c.command(doc, cmd)
	}
	for _, with := range actionInputs(md) {
		if !c.inputs[with] {
			c.t.Errorf("%s gives the Action the input %q, which action.yml lacks", doc, with)
		}
		checked++
	}
	return checked
}

func (c *commandChecker) command(doc, cmd string) int {
	checked := 0
	words := strings.Fields(cmd)
	for _, w := range words {
		_, arg, _ := strings.Cut(w, "=")
		if arg == "" {
			arg = w
		}
		// my-… names the reader's own code, as in ./cmd/my-trigger.
		if repoPath.MatchString(arg) && !strings.Contains(arg, "/my-") {
			if _, err := os.Stat(filepath.Join("../..", strings.TrimRight(arg, "/"))); err != nil {
				c.t.Errorf("%s names %s, which this repository lacks: %s", doc, arg, cmd)
			}
			checked++
		}
	}
	for i, w := range words {
		switch {
		case w == "make":
			for _, arg := range words[i+1:] {
				if strings.Contains(arg, "=") || strings.HasPrefix(arg, "-") {
					continue
				}
				if !c.targets[arg] {
					c.t.Errorf("%s runs make %s, which the Makefile lacks: %s", doc, arg, cmd)
				}
				checked++
			}
		case strings.HasSuffix(w, "autoconfirm-conformance") && !strings.Contains(w, "@") && invokes(words[:i]):
			sub := ""
			if i+1 < len(words) && !strings.HasPrefix(words[i+1], "-") {
				sub = words[i+1]
				if !subcommands[sub] {
					c.t.Errorf("%s runs autoconfirm-conformance %s, which is no subcommand: %s", doc, sub, cmd)
				}
				checked++
			}
			known := c.flagsOf(sub)
			for _, arg := range words[i+1:] {
				if !strings.HasPrefix(arg, "--") {
					continue
				}
				name, _, _ := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
				if !known[name] {
					c.t.Errorf("%s gives %q --%s, which its --help does not list: %s", doc, strings.TrimSpace("autoconfirm-conformance "+sub), name, cmd)
				}
				checked++
			}
		default:
			continue
		}
		break
	}
	return checked
}

// invokes says whether the words before a program's name leave it in the
// place of the command run: first, after variable assignments, after a
// shell operator, or as go run's package.
func invokes(before []string) bool {
	for i := len(before) - 1; i >= 0; i-- {
		switch w := before[i]; {
		case w == "&&", w == "||", w == "|", w == ";", w == "time", w == "exec":
			return true
		case w == "run" && i > 0 && before[i-1] == "go":
			return true
		case !strings.Contains(w, "="):
			return false
		}
	}
	return true
}

// actionInputs are the keys under with: of every step in a Markdown
// text's yaml blocks that uses this repository's Action.
func actionInputs(md string) []string {
	var out []string
	in, action, with := false, false, false
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```yaml"), strings.HasPrefix(line, "```yml"):
			in, action, with = true, false, false
			continue
		case strings.HasPrefix(line, "```"):
			in = false
			continue
		case !in:
			continue
		}
		trimmed := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		switch {
		case strings.HasPrefix(trimmed, "uses:"):
			action = strings.Contains(trimmed, "autoconfirm/autoconfirm@") || strings.TrimSpace(strings.TrimPrefix(trimmed, "uses:")) == "./"
			with = false
		case trimmed == "with:":
			with = action
		case with && strings.Contains(trimmed, ":") && !strings.HasPrefix(trimmed, "#"):
			key, _, _ := strings.Cut(trimmed, ":")
			out = append(out, strings.TrimSpace(key))
		}
	}
	return out
}

// shellLines are the commands in a Markdown text's sh code blocks, with
// continuation lines joined and comments dropped.
func shellLines(md string) []string {
	var out []string
	in, cont := false, ""
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```sh"), strings.HasPrefix(line, "```bash"):
			in = true
			continue
		case strings.HasPrefix(line, "```"):
			in = false
			continue
		case !in:
			continue
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if strings.HasSuffix(strings.TrimSpace(line), `\`) {
			cont += strings.TrimSuffix(strings.TrimSpace(line), `\`) + " "
			continue
		}
		out = append(out, cont+line)
		cont = ""
	}
	return out
}
