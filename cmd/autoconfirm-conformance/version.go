package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// runVersion prints the module version, the VCS revision and time it was
// built from, and the Go version, as the binary itself records them.
func runVersion(_ context.Context, _ []string, _ func(string) string, stdout, _ io.Writer) (int, error) {
	fmt.Fprintln(stdout, versionLine(debug.ReadBuildInfo()))
	return 0, nil
}

// versionLine names a build: "autoconfirm-conformance v1.2.3 (revision
// abc123, 2026-11-29T12:00:00Z, modified) go1.26.8 linux/amd64".
func versionLine(bi *debug.BuildInfo, ok bool) string {
	version, revision, when, modified := "(devel)", "unknown", "", false
	if ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	detail := "revision " + revision
	if when != "" {
		detail += ", " + when
	}
	if modified {
		detail += ", modified"
	}
	return fmt.Sprintf("autoconfirm-conformance %s (%s) %s %s/%s", version, detail, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
