//go:build !linux

package rie

// watch watches nothing where there is no /proc: local runs handlers on
// Linux only, and other systems build the rest of the runner.
func watch(root int, limitMB int, w watched, done <-chan struct{}, say func(string)) {}

// watched is what the watch would know of a sandboxed environment.
type watched struct {
	sandbox int
	gate    *gate
	stop    func(error)
}
