package rie

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// emulatorTimeoutVar sets the emulator's own timeout. Lambda gives the
// function no such variable, so the runtime's start script takes it out
// (runtimeScript; red team round 21).
func emulatorTimeoutVar(cfg Config) string {
	return fmt.Sprintf("%s=%d", sandbox.EmulatorTimeout, int((emulatorTimeout(cfg)+time.Second-1)/time.Second))
}

// sandboxFiles writes into p.dir what each sandboxed environment binds:
// the function's accounts, the forwarder, and the function's environment.
// Confined, only the function's runtime reads that environment
// (sandbox.Confine): bwrap, the forwarder and the emulator start with the
// few variables the emulator reads, so that none the function sets
// (LD_PRELOAD, GODEBUG…) takes effect in them, on this machine or in the
// sandbox (red team round 17).
func (p *Proc) sandboxFiles() error {
	sb := p.cfg.Sandbox
	if sb == nil {
		return nil
	}
	accounts, err := sandbox.Accounts(p.dir)
	if err != nil {
		return err
	}
	p.cfg.Mounts = append(slices.Clone(p.cfg.Mounts), accounts...)
	if !sb.PrivateNet() {
		return nil
	}
	// The forwarder is bound by a name of the run's: bwrap's command line,
	// which the function can read, names no runner.
	if err := os.Symlink(sb.Forwarder, filepath.Join(p.dir, "netfwd")); err != nil {
		return fmt.Errorf("linking the sandbox's forwarder: %w", err)
	}
	for _, kv := range p.cfg.Env {
		if strings.ContainsRune(kv, 0) { // it would split into other variables in the file
			k, _, _ := strings.Cut(kv, "=")
			return fmt.Errorf("the function's variable %s holds a NUL byte, which no environment variable can hold", k)
		}
	}
	envFile := filepath.Join(p.dir, "function.env")
	if err := os.WriteFile(envFile, []byte(strings.Join(p.cfg.Env, "\x00")), 0o644); err != nil {
		return fmt.Errorf("writing the function's environment: %w", err)
	}
	p.cfg.Mounts = append(p.cfg.Mounts, sandbox.Mount{Host: envFile, At: sandbox.EnvAt})
	p.emulatorEnv = append(sandbox.EmulatorEnv(p.cfg.Env), emulatorTimeoutVar(p.cfg))
	return p.wrapExtensions()
}

// wrapExtensions starts each of the layers' extensions, which the emulator
// runs from /opt/extensions as Lambda does, through the confine step, as the
// runtime is started: an extension is the function's own code, and it ran
// outside the Landlock domain before (red team round 19). Each runs from
// sandbox.ExtAt, where the real ones are bound.
func (p *Proc) wrapExtensions() error {
	ext := ""
	for _, m := range p.cfg.Mounts {
		if m.At == sandbox.Opt && m.Host != "" {
			ext = filepath.Join(m.Host, "extensions")
		}
	}
	entries, err := os.ReadDir(ext)
	if ext == "" || errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the layers' extensions: %w", err)
	}
	dir := filepath.Join(p.dir, "extensions")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	for _, e := range entries {
		argv := sandbox.ConfineArgs(sandbox.EnvAt, path.Join(sandbox.ExtAt, e.Name()))
		if err := os.WriteFile(filepath.Join(dir, e.Name()), []byte("#!/bin/sh\nexec "+shellWords(argv)+" \"$@\"\n"), 0o755); err != nil {
			return fmt.Errorf("writing the start script of the extension %q: %w", e.Name(), err)
		}
	}
	p.cfg.Mounts = append(p.cfg.Mounts, sandbox.Mount{Host: ext, At: sandbox.ExtAt}, sandbox.Mount{Host: dir, At: path.Join(sandbox.Opt, "extensions")})
	return nil
}
