// Package autoconfirm carries the conformance features and event fixtures, so
// that the standalone conformance binary needs no checkout.
package autoconfirm

import (
	"embed"
	"io/fs"
)

//go:embed features/*.feature fixtures
var content embed.FS

// Content returns a file system with the features/ and fixtures/ directories.
func Content() fs.FS { return content }

//go:embed package.json package-lock.json
var npmPins embed.FS

// NPMPins returns package.json and package-lock.json, which pin cognito-local,
// so that the standalone runner can install the same version.
func NPMPins() fs.FS { return npmPins }

//go:embed docs/cognito-rules.md
var rules string

// Rules returns docs/cognito-rules.md: what Cognito enforces on a pre
// sign-up trigger, with sources, which the runner's messages cite as
// "rules §N".
func Rules() string { return rules }
