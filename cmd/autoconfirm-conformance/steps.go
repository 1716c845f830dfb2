package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/steps"
)

// runSteps prints the step phrases, for people who write their own features.
func runSteps(_ context.Context, args []string, _ func(string) string, stdout, _ io.Writer) (int, error) {
	if err := parse(flag.NewFlagSet("steps", flag.ContinueOnError), args, stdout, false); err != nil {
		return conformance.ExitUsage, err
	}
	fmt.Fprint(stdout, `The step phrases a feature file can use. Each pattern is a regular expression;
"([^"]+)" stands for a name in quotes, (\d+) for a number, (a|b) for either word.
An event name is a fixture: fixtures/<name>.json built in, or <name>.json in --fixtures DIR.
Tag each scenario with the profile it judges (@cognito, @confirm, @verify-email,
@verify-phone, @alias-safe, @defensive, @autoconfirm, or your own) and run it with
--features DIR --profile ...
`)
	steps.PrintPhrases(stdout)
	return conformance.ExitPass, nil
}

// runRules prints docs/cognito-rules.md, which the binary carries.
func runRules(_ context.Context, args []string, _ func(string) string, stdout, _ io.Writer) (int, error) {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	if err := parse(fs, args, stdout, false); err != nil {
		return conformance.ExitUsage, err
	}
	fmt.Fprint(stdout, autoconfirm.Rules())
	return conformance.ExitPass, nil
}
