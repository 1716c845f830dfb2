// Package hostenv builds the environment of every process `local` starts
// from an allow-list of the host's variables, so that no host secret
// (AWS_*, GITHUB_TOKEN, COGNITO_CLIENT_SECRET, a token a CI job exported)
// reaches a tool, the emulator or the handler. Each builder keeps only what
// its kind of tool needs; everything not named here stays in this process.
package hostenv

import "strings"

// Base are the variables any tool gets: where programs and temporary files
// are, and the locale. None carries a secret.
var Base = []string{"PATH", "TMPDIR", "LANG", "LC_ALL", "TZ"}

// Proxy are the proxy settings a tool that downloads needs, in both cases
// that tools read.
var Proxy = []string{"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"}

// TLS names the certificate authorities Node.js adds to its own, as a
// machine behind a proxy that signs its own certificates sets it: npm
// reaches the registry through it. A path, not a secret.
var TLS = []string{"NODE_EXTRA_CA_CERTS"}

// goSettings are the go command's settings that say where modules come
// from and where builds are cached; HOME and XDG_* locate the caches and
// the go env file (`go env -w`) when they are not set, so builds stay
// cached where the user's are.
var goSettings = []string{
	"GOPROXY", "GONOSUMDB", "GOFLAGS", "GOPATH", "GOMODCACHE", "GOCACHE", "GOPRIVATE", "GONOPROXY",
	"GOTOOLCHAIN", "GOSUMDB", "GOINSECURE", "GOENV", "GOROOT", "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
}

// Pick returns NAME=value for each name of each list that getenv gives a
// value.
func Pick(getenv func(string) string, lists ...[]string) []string {
	var env []string
	for _, names := range lists {
		for _, k := range names {
			if v := getenv(k); v != "" {
				env = append(env, k+"="+v)
			}
		}
	}
	return env
}

// Plain is the environment of a tool that only runs here (a version probe,
// esbuild, bwrap): Base, HOME home when it is not "", then extra.
func Plain(getenv func(string) string, home string, extra ...string) []string {
	env := Pick(getenv, Base)
	if home != "" {
		env = append(env, "HOME="+home)
	}
	return append(env, extra...)
}

// Go is the environment of the go command: Base, the proxies and its own
// settings, then extra.
func Go(getenv func(string) string, extra ...string) []string {
	return append(Pick(getenv, Base, Proxy, goSettings), extra...)
}

// Npm is the environment of npm: Base, the proxies and TLS, each npm_config_*
// setting of environ (npm reads the prefix in any case), a private HOME so
// that no ~/.npmrc of the host's is read, npm's cache in cache, then extra.
func Npm(environ []string, home, cache string, extra ...string) []string {
	get := Getenv(environ)
	env := Pick(get, Base, Proxy, TLS)
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if len(k) > len(npmPrefix) && strings.EqualFold(k[:len(npmPrefix)], npmPrefix) && !strings.EqualFold(k, npmPrefix+"cache") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home, npmPrefix+"cache="+cache)
	return append(env, extra...)
}

const npmPrefix = "npm_config_"

// Getenv reads environ as os.Getenv reads this process's: the last
// setting of a name wins.
func Getenv(environ []string) func(string) string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}
