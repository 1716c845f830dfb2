package runtimes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/hostenv"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// CognitoLocal returns cognito-local's start script: from the checkout's
// node_modules when root has one, else installed from the given package.json
// and package-lock.json into the cache.
func (c Cache) CognitoLocal(ctx context.Context, root string, pinned fs.FS) (string, error) {
	rel := filepath.Join("node_modules", "cognito-local", "lib", "bin", "start.js")
	if root != "" {
		if _, err := os.Stat(filepath.Join(root, rel)); err == nil {
			return filepath.Join(root, rel), nil
		}
	}
	if _, err := need("npm", "npm installs cognito-local: on Debian or Ubuntu, `apt-get install nodejs npm`"); err != nil {
		return "", err
	}
	version, err := lockedVersion(pinned, "cognito-local")
	if err != nil {
		return "", err
	}
	dir := filepath.Join(c.Dir, "cognito-local-"+version)
	if _, err := os.Stat(filepath.Join(dir, rel)); err == nil {
		return filepath.Join(dir, rel), nil
	}
	if err := c.npmCIFrom(ctx, dir, pinned, ".", "cognito-local "+version+", the local user pool", nil); err != nil {
		return "", err
	}
	return filepath.Join(dir, rel), nil
}

// lockedVersion reads a package's version from a package-lock.json.
func lockedVersion(pinned fs.FS, name string) (string, error) {
	b, err := fs.ReadFile(pinned, "package-lock.json")
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`"node_modules/` + regexp.QuoteMeta(name) + `":\s*\{\s*"version":\s*"([^"]+)"`).FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("package-lock.json pins no %s", name)
	}
	return string(m[1]), nil
}

// npmCIFrom runs `npm ci`, with env added to this process's, on pinned's
// sub/package.json and package-lock.json in a fresh directory, and moves it
// to dir when it succeeds, so that an interrupted install never looks
// finished.
func (c Cache) npmCIFrom(ctx context.Context, dir string, pinned fs.FS, sub, what string, env []string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("creating the cache %s: %w (set AUTOCONFIRM_CACHE to a writable directory)", c.Dir, err)
	}
	sweepPartials(filepath.Join(filepath.Dir(dir), filepath.Base(dir)+".partial-*"))
	tmp, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".partial-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := fs.ReadFile(pinned, filepath.Join(sub, f))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, f), b, 0o644); err != nil {
			return err
		}
	}
	c.say("fetching %s into %s", what, dir)
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = tmp
	cmd.Env = append(c.npmEnv(), env...)
	cmd.Stdout, cmd.Stderr = c.Progress, c.Progress
	if c.Progress == nil {
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	}
	start := time.Now()
	stop := c.ticker(start, filepath.Base(dir))
	err = cmd.Run()
	stop()
	if err != nil {
		return fmt.Errorf("npm ci for %s failed: %w (the output above says why; npm reads no ~/.npmrc here: give a proxy as HTTPS_PROXY, a registry as npm_config_registry)", what, err)
	}
	if err := os.Rename(tmp, dir); err != nil && !errors.Is(err, fs.ErrExist) {
		if _, serr := os.Stat(dir); serr != nil {
			return err
		}
	}
	c.say("fetched in %.0fs", time.Since(start).Seconds())
	return nil
}

// ticker says that a long step is still going, by name (a first run
// fetches several things side by side), after 15 s, then at twice the last
// wait: a few lines for a long fetch, not one every 15 s.
func (c Cache) ticker(start time.Time, name string) (stop func()) {
	done := make(chan struct{})
	go func() {
		wait := 15 * time.Second
		t := time.NewTimer(wait)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				c.say("… still fetching %s, %.0fs so far", name, time.Since(start).Seconds())
				wait *= 2
				t.Reset(wait)
			}
		}
	}()
	return func() { close(done) }
}

// npmEnv is the environment npm runs in, and the install scripts of what it
// fetches: the host's proxies and npm settings only (hostenv.Npm), a HOME
// and npm's cache of the cache's own, and Node's compile cache, which npm
// turns on, kept in the cache rather than in TMPDIR, where a run must leave
// nothing; and no notice of a newer npm.
func (c Cache) npmEnv() []string {
	return hostenv.Npm(os.Environ(), filepath.Join(c.Dir, "npm-home"), filepath.Join(c.Dir, "npm-cache"),
		"NODE_COMPILE_CACHE="+filepath.Join(c.Dir, "node-compile-cache"),
		"npm_config_update_notifier=false") // no look-up of npm's own latest version
}

// hideGit covers a .git in the code or the layers, in the sandbox, with
// an empty directory or file: a checkout's .git/config holds its
// credentials (actions/checkout keeps the token there), which are this
// machine's, not the function's. Lambda's package would hold what the
// directory holds, so each run says so (rules §18).
func hideGit(f Function, dir string) (Function, error) {
	var hidden []sandbox.Mount
	for _, m := range f.Mounts {
		if m.At != sandbox.TaskRoot && m.At != sandbox.Opt {
			continue
		}
		st, err := os.Lstat(filepath.Join(m.Host, ".git"))
		if err != nil {
			continue
		}
		empty := filepath.Join(dir, "empty-git")
		if st.IsDir() {
			err = os.MkdirAll(empty, 0o555)
		} else {
			empty += "-file"
			err = os.WriteFile(empty, nil, 0o444)
		}
		if err != nil {
			return f, fmt.Errorf("hiding %s/.git from the function: %w", m.Host, err)
		}
		hidden = append(hidden, sandbox.Mount{Host: empty, At: path.Join(m.At, ".git")})
		f.Differences = append(f.Differences, fmt.Sprintf("%s/.git is hidden from the function: a checkout's config may hold its token; a package built from the directory would hold it (rules §18)", m.At))
	}
	f.Mounts = append(f.Mounts, hidden...)
	return f, nil
}

// partialAge is how old an unfinished fetch's directory must be before a
// later run removes it: no fetch takes an hour, and one in progress in
// another run is younger.
const partialAge = time.Hour

// sweepPartials removes the directories matching pattern that a fetch left
// unfinished over partialAge ago: a run killed with SIGKILL runs no
// cleanup, so the next fetch of the same tool clears up after it.
func sweepPartials(pattern string) {
	left, _ := filepath.Glob(pattern)
	for _, p := range left {
		if st, err := os.Lstat(p); err == nil && st.IsDir() && time.Since(st.ModTime()) > partialAge {
			os.RemoveAll(p)
		}
	}
}
