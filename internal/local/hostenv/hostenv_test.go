package hostenv

import (
	"slices"
	"testing"
)

// TestBuilders: each builder keeps its allow-list of the host's variables
// and nothing else.
func TestBuilders(t *testing.T) {
	host := []string{"PATH=/bin", "LANG=C.UTF-8", "AWS_ACCESS_KEY_ID=AKIA", "GITHUB_TOKEN=ghp", "COGNITO_CLIENT_SECRET=s",
		"HTTPS_PROXY=http://proxy", "https_proxy=http://proxy", "NPM_CONFIG_REGISTRY=http://reg", "npm_config_cache=/host/npm",
		"GOCACHE=/host/gocache", "GOFLAGS=-mod=mod", "HOME=/home/u", "NODE_OPTIONS=--require=x", "PYTHONPATH=/x",
		"NODE_EXTRA_CA_CERTS=/etc/ssl/proxy.pem"}
	get := Getenv(host)
	cases := []struct {
		name string
		got  []string
		want []string
	}{
		{"plain", Plain(get, "/run/home", "X=1"), []string{"PATH=/bin", "LANG=C.UTF-8", "HOME=/run/home", "X=1"}},
		{"plain, no home", Plain(get, ""), []string{"PATH=/bin", "LANG=C.UTF-8"}},
		{"go", Go(get, "CGO_ENABLED=0"), []string{"PATH=/bin", "LANG=C.UTF-8", "HTTPS_PROXY=http://proxy", "https_proxy=http://proxy",
			"GOFLAGS=-mod=mod", "GOCACHE=/host/gocache", "HOME=/home/u", "CGO_ENABLED=0"}},
		{"npm", Npm(host, "/cache/home", "/cache/npm"), []string{"PATH=/bin", "LANG=C.UTF-8", "HTTPS_PROXY=http://proxy", "https_proxy=http://proxy",
			"NODE_EXTRA_CA_CERTS=/etc/ssl/proxy.pem", "NPM_CONFIG_REGISTRY=http://reg", "HOME=/cache/home", "npm_config_cache=/cache/npm"}},
	}
	for _, c := range cases {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, c.got, c.want)
		}
	}
}
