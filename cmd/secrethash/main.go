// Command secrethash prints the SecretHash Cognito expects from an app client
// with a secret: Base64(HMAC-SHA256(client secret, username + client id)).
// It replaces the AWS article's Python script, which does not run as printed.
//
// Usage:
//
//	secrethash --username USER --client-id ID [--client-secret SECRET]
//
// The secret is read from --client-secret, else from COGNITO_CLIENT_SECRET,
// else from the first line of standard input, so that it need not appear in
// the shell history or the process list.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/secrethash"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("secrethash", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("username", "", "the exact string sent as Username (in an email-as-username pool, the email address)")
	client := fs.String("client-id", getenv("COGNITO_CLIENT_ID"), "the app client id (env COGNITO_CLIENT_ID)")
	secret := fs.String("client-secret", "", "the app client secret (default: env COGNITO_CLIENT_SECRET, else the first line of stdin)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "secrethash prints Base64(HMAC-SHA256(client secret, username + client id)).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *user == "" || *client == "" {
		fmt.Fprintln(stderr, "secrethash: --username and --client-id are required")
		return 2
	}
	if *secret == "" {
		*secret = getenv("COGNITO_CLIENT_SECRET")
	}
	if *secret == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			fmt.Fprintln(stderr, "secrethash: reading the client secret from stdin:", err)
			return 2
		}
		*secret = strings.TrimRight(line, "\r\n")
	}
	if *secret == "" {
		fmt.Fprintln(stderr, "secrethash: no client secret: pass --client-secret, set COGNITO_CLIENT_SECRET, or pipe it on stdin")
		return 2
	}
	fmt.Fprintln(stdout, secrethash.Compute(*user, *client, *secret))
	return 0
}
