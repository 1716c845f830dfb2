package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMECommands checks every command the README shows against what
// it names: each autoconfirm-conformance flag against that subcommand's
// --help, and each make target against the Makefile. (The commands that
// need AWS or a deployed function are not run here; the e2e tests run the
// rest.)
func TestREADMECommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`).FindAllStringSubmatch(string(makefile), -1) {
		targets[m[1]] = true
	}
	flagLine := regexp.MustCompile(`(?m)^\s+-([a-z][a-z0-9-]*)`)
	helps := map[string]map[string]bool{}
	flagsOf := func(sub string) map[string]bool {
		if f, ok := helps[sub]; ok {
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
		helps[sub] = f
		return f
	}
	subcommands := map[string]bool{"local": true, "diff": true, "report": true, "cleanup": true, "steps": true, "rules": true}
	checked := 0
	for _, cmd := range shellLines(string(readme)) {
		words := strings.Fields(cmd)
		for i, w := range words {
			switch {
			case w == "make":
				for _, arg := range words[i+1:] {
					if strings.Contains(arg, "=") || strings.HasPrefix(arg, "-") {
						continue
					}
					if !targets[arg] {
						t.Errorf("the README runs make %s, which the Makefile lacks: %s", arg, cmd)
					}
					checked++
				}
			case strings.HasSuffix(w, "autoconfirm-conformance") && !strings.Contains(w, "@"):
				sub := ""
				if i+1 < len(words) && subcommands[words[i+1]] {
					sub = words[i+1]
				}
				known := flagsOf(sub)
				for _, arg := range words[i+1:] {
					if !strings.HasPrefix(arg, "--") {
						continue
					}
					name, _, _ := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
					if !known[name] {
						t.Errorf("the README gives %q --%s, which its --help does not list: %s", strings.TrimSpace("autoconfirm-conformance "+sub), name, cmd)
					}
					checked++
				}
			default:
				continue
			}
			break
		}
	}
	t.Logf("%d flags and make targets checked", checked)
	if checked < 40 {
		t.Errorf("only %d flags and targets checked: the README's commands were not found", checked)
	}
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
