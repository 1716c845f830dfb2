//go:build !linux

package rie

// watch watches nothing where there is no /proc: local runs handlers on
// Linux only, and other systems build the rest of the runner.
func watch(root int, limitMB int, done <-chan struct{}, say func(string)) {}
