package runtimes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/hostenv"
)

func goarch() string { return runtime.GOARCH }

// RIE returns the Runtime Interface Emulator to run, in this order:
// $AWS_LAMBDA_RIE; the module's pinned tool, in a checkout of autoconfirm;
// the pinned version in the cache, built there with `go install` on first
// use; an aws-lambda-rie on PATH. Otherwise it says how to get one.
func (c Cache) RIE(ctx context.Context, getenv func(string) string, root string) (string, error) {
	if p := getenv("AWS_LAMBDA_RIE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("AWS_LAMBDA_RIE=%s: %w", p, err)
		}
		return p, nil
	}
	if root != "" && inCheckout(root) {
		cmd := exec.CommandContext(ctx, "go", "tool", "-n", "aws-lambda-rie")
		cmd.Dir = root
		cmd.Env = hostenv.Go(getenv)
		if out, err := cmd.Output(); err == nil {
			return strings.TrimSpace(string(out)), nil
		}
	}
	dir := filepath.Join(c.Dir, "aws-lambda-rie-"+RIEVersion)
	bin := filepath.Join(dir, "aws-lambda-rie")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if _, err := exec.LookPath("go"); err == nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("creating the cache %s: %w (set AUTOCONFIRM_CACHE to a writable directory)", c.Dir, err)
		}
		c.say("building the Lambda Runtime Interface Emulator %s into %s with go install", RIEVersion, dir)
		cmd := exec.CommandContext(ctx, "go", "install", RIEModule+"/cmd/aws-lambda-rie@"+RIEVersion)
		cmd.Env = hostenv.Go(getenv, "GOBIN="+dir, "CGO_ENABLED=0")
		// go's own lines ("go: downloading …") only when the build fails.
		start := time.Now()
		stop := c.ticker(start, "the Runtime Interface Emulator")
		out, err := cmd.CombinedOutput()
		stop()
		if err != nil {
			return "", fmt.Errorf("building the Runtime Interface Emulator: %w\n%s", err, bytes.TrimSpace(out))
		}
		c.say("built the Runtime Interface Emulator in %.0fs", time.Since(start).Seconds())
		return bin, nil
	}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		c.say("using %s from PATH; its version is not pinned", p)
		return p, nil
	}
	return "", errors.New("no Lambda Runtime Interface Emulator: install Go 1.26 or later (https://go.dev/dl/) so that this command can build the pinned one, " +
		"or download aws-lambda-rie from https://github.com/aws/aws-lambda-runtime-interface-emulator/releases and set AWS_LAMBDA_RIE to its path")
}

// inCheckout reports whether root is a checkout of this module.
func inCheckout(root string) bool {
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	return err == nil && strings.HasPrefix(string(b), "module github.com/autoconfirm/autoconfirm\n")
}
