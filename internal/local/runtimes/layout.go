package runtimes

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
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
// leads out of it is refused: bound, it would dangle; followed, it would
// show the function what it reaches on this machine (a home directory's
// credentials, a checkout's .git/config and its token).
func (l *layout) task(host string) (string, error) {
	if !l.sandboxed {
		return host, nil
	}
	link, target, err := leadsOut(host)
	if err != nil {
		return "", err
	}
	if link != "" {
		return "", fmt.Errorf("--code %s: the symlink %s leads to %s, %w %s, which the sandbox does not show: copy what it links to into the directory, or give the function as a zip (zip -r follows links)", host, link, target, codezip.ErrOutside, host)
	}
	return l.bind(host, sandbox.TaskRoot), nil
}

// leadsOut returns the first symlink below root whose target is outside
// root, and that target, or "".
func leadsOut(root string) (link, target string, err error) {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", "", err
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			return err
		}
		if t, err := filepath.EvalSymlinks(p); err == nil && codezip.Within(real, t) != nil {
			link, target = p, t
			return filepath.SkipAll
		}
		return nil
	})
	return link, target, err
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
