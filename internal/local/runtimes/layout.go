package runtimes

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/autoconfirm/autoconfirm/codezip"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// layout says where the function's parts are seen from where it runs: at
// their paths on this machine, or, in a sandbox, where Lambda puts them
// (the code at /var/task, the runtime's files at /var/runtime, the layers
// at /opt), with what must be bound there to get them.
type layout struct {
	sandboxed bool
	dir       string
	mounts    []sandbox.Mount
	// later are mounts inside another, bound after it.
	later []sandbox.Mount
}

func (c Cache) layout(dir string) *layout { return &layout{sandboxed: c.Sandboxed, dir: dir} }

// task is where the code in host is seen: /var/task in a sandbox, read-only.
// A sandbox shows the function its code alone, so a link in the code that
// leads out of it would dangle there; a zip of the code (zip -r, sam build)
// holds what such a link leads to, so the code is then laid out as that zip
// unpacks, links followed.
func (l *layout) task(host string) (string, error) {
	if !l.sandboxed {
		return host, nil
	}
	out, err := leadsOut(host)
	if err != nil || out == "" {
		return l.bind(host, sandbox.TaskRoot), err
	}
	unpacked := filepath.Join(l.dir, "code")
	if err := copyTree(host, unpacked, &codezip.Budget{}); err != nil {
		return "", fmt.Errorf("laying out the code as its zip would hold it (%s leads out of it): %w", out, err)
	}
	return l.bind(unpacked, sandbox.TaskRoot), nil
}

// leadsOut returns the first symlink below root whose target is outside
// root, or "".
func leadsOut(root string) (string, error) {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	found := ""
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			return err
		}
		if target, err := filepath.EvalSymlinks(p); err == nil && codezip.Within(real, target) != nil {
			found = p
			return filepath.SkipAll
		}
		return nil
	})
	return found, err
}

// at is where host is seen: at, in a sandbox.
func (l *layout) at(host, at string) string {
	if l.sandboxed {
		return at
	}
	return host
}

// bind makes host seen at at in a sandbox, and returns where it is seen.
func (l *layout) bind(host, at string) string {
	if !l.sandboxed {
		return host
	}
	l.mounts = append(l.mounts, sandbox.Mount{Host: host, At: at})
	return at
}

// share makes host, which the runtime names by its own path (the pinned
// tools in the cache), seen at that path, read-only, when it exists.
func (l *layout) share(host string) {
	if _, err := os.Stat(host); err == nil && l.sandboxed {
		l.mounts = append(l.mounts, sandbox.Mount{Host: host, At: host})
	}
}

// runtime is the directory for the runtime's own files written for this
// run (the start script, the Python adapter, the Node.js preload): the
// work directory itself, or, in a sandbox, its runtime/ seen at
// /var/runtime. It returns the directory to write in, and a function that
// names a file there as the function sees it.
func (l *layout) runtime() (string, func(string) string, error) {
	if !l.sandboxed {
		return l.dir, func(name string) string { return filepath.Join(l.dir, name) }, nil
	}
	host := filepath.Join(l.dir, "runtime")
	if err := os.MkdirAll(host, 0o755); err != nil {
		return "", nil, err
	}
	l.bind(host, sandbox.Runtime)
	return host, func(name string) string { return path.Join(sandbox.Runtime, name) }, nil
}
