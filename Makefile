# autoconfirm — run `make help` for the targets.
#
# Everything here needs only Go (and Node.js for the live-local stack); the Go
# module cache and `npm ci` install every dependency from go.sum and
# package-lock.json.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO       ?= go
GOARCH   ?= $(shell $(GO) env GOARCH)
DIST     := dist
BOOTSTRAP_BIN := $(DIST)/bootstrap
REPORT_DIR ?= reports
TAGS     ?=
PROFILE  ?=

export CGO_ENABLED := 0

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

.PHONY: build
build: ## build the Lambda binary dist/bootstrap (linux, static, lambda.norpc; GOARCH=arm64 to cross-build)
	@mkdir -p $(DIST)
	GOOS=linux GOARCH=$(GOARCH) $(GO) build -trimpath -tags lambda.norpc -ldflags='-s -w' -o $(BOOTSTRAP_BIN) ./cmd/autoconfirm
	@echo "built $(BOOTSTRAP_BIN) for linux/$(GOARCH)"

.PHONY: package
# ARCH is the function's architecture: template.yaml's own (its
# Architecture parameter's default) unless given, e.g. make package
# ARCH=x86_64 (or amd64), which must then be deployed with
# Architecture=x86_64.
ARCH ?= $(shell $(GO) run ./internal/cmd/samarch template.yaml)
LAMBDA_BIN := $(DIST)/lambda/bootstrap
PACKAGE_GOARCH = $(if $(filter x86_64,$(ARCH)),amd64,$(ARCH))

package: ## build the function for template.yaml's architecture (ARCH=amd64|arm64 to choose) and zip it deterministically into dist/autoconfirm.zip; refuses a binary for another architecture
	@test -n "$(ARCH)" || { echo "package: template.yaml names no architecture"; exit 2; }
	@mkdir -p $(DIST)/lambda
	GOOS=linux GOARCH=$(PACKAGE_GOARCH) CGO_ENABLED=0 $(GO) build -trimpath -tags lambda.norpc -ldflags='-s -w' -o $(LAMBDA_BIN) ./cmd/autoconfirm
	$(GO) run ./internal/cmd/mkzip -arch $(PACKAGE_GOARCH) $(DIST)/autoconfirm.zip $(LAMBDA_BIN)
	@echo "packaged $(DIST)/autoconfirm.zip for linux/$(PACKAGE_GOARCH)"

RUNNER := $(DIST)/autoconfirm-conformance

.PHONY: runner
runner: ## build the standalone conformance runner dist/autoconfirm-conformance (exit 0 pass, 1 fail, 2 usage, 130 interrupted)
	@mkdir -p $(DIST)
	$(GO) build -buildvcs=auto -o $(RUNNER) ./cmd/autoconfirm-conformance

# The built runner, not `go run`, which would turn every exit status into 1.
# make itself exits 2 on any failure; CI that needs 1 and 2 apart runs the
# runner directly.
.PHONY: conformance
conformance: runner ## every feature against the handler in process; reports in REPORT_DIR (TAGS='@alias' for a subset)
	$(RUNNER) --target inprocess --report-dir '$(REPORT_DIR)' $(if $(TAGS),--tags '$(TAGS)') $(if $(PROFILE),--profile '$(PROFILE)')

.PHONY: lint
lint: lint-tools ## gofmt, go vet, staticcheck and actionlint (pinned in tools/go.mod) on the example workflows, and shellcheck on the action's shell steps and script
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./internal/e2e
	$(GO) tool -modfile=tools/go.mod staticcheck ./...
	$(GO) tool -modfile=tools/go.mod staticcheck -tags e2e ./internal/e2e
	$(GO) tool -modfile=tools/go.mod actionlint
	$(GO) run ./internal/cmd/actionsh action.yml .github/action/run.sh

.PHONY: lint-tools
lint-tools: ## install Debian's shellcheck, which actionlint and actionsh run, if missing
	@command -v shellcheck >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "lint-tools: installing Debian's shellcheck with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; \
	  else echo "lint-tools: shellcheck is missing: run apt-get install shellcheck"; exit 2; fi; }

.PHONY: unit
unit: local-tools race-tools ## go test with the race detector (installs a C compiler, python3-boto3 and the rest of local-tools first: a runtimes test runs Debian's boto3)
	CGO_ENABLED=1 $(GO) test -race -count=1 ./...

# The race detector links C, so it needs a C compiler (Go's `go env CC`);
# `local` needs none. Debian's gcc and libc6-dev, installed when no C program
# builds and root.
.PHONY: race-tools
race-tools: ## install a C compiler for the race detector (Debian's gcc and libc6-dev) if none builds a C program
	@cc=$$($(GO) env CC); cc=$${cc%% *}; builds() { echo 'int main(void){return 0;}' | "$$cc" -x c -o /dev/null - >/dev/null 2>&1; }; \
	  builds || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "race-tools: the race detector needs a C compiler ($$cc); installing Debian's gcc and libc6-dev with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null; \
	  else echo "race-tools: the race detector needs a C compiler and $$cc builds no C program: run apt-get install gcc libc6-dev"; exit 2; fi; \
	  builds || { echo "race-tools: $$cc still builds no C program; set CC to a working C compiler"; exit 2; }; }

# A count, not a duration: with a duration, Go 1.26's fuzz coordinator can
# report a spurious "context deadline exceeded" as the time runs out
# (golang/go#75804, fixed in 1.27). 200000 runs take 10-20 s here.
FUZZTIME ?= 200000x

.PHONY: fuzz
fuzz: ## fuzz the Invoke path, FUZZTIME (default 200000x)
	$(GO) test -run '^$$' -fuzz '^FuzzInvoke$$' -fuzztime $(FUZZTIME) ./handler

.PHONY: test
test: lint unit fuzz rie-check live-local gate-check release-check ## every test: lint, unit and feature tests (race), 20 s of fuzzing, dist/bootstrap under the RIE, the live-local stack, and the gate against broken implementations

# The end-to-end checks are go tests behind the e2e build tag.
E2E := $(GO) test -tags e2e -count=1 -timeout 45m ./internal/e2e

.PHONY: rie-check
rie-check: build ## invoke dist/bootstrap under the Lambda Runtime Interface Emulator with every fixture, and once per policy and lookup mode
	$(E2E) -run '^TestBootstrap' -args -bootstrap='$(abspath $(BOOTSTRAP_BIN))'

# The pinned cognito-local, installed from package-lock.json.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "cognito-local installs with npm, which is missing: install Node.js 20 or later with npm (https://nodejs.org/en/download)"; exit 2; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

BOOTSTRAP ?= $(BOOTSTRAP_BIN)

RUNTIME ?=
CODE    ?=
HANDLER ?=

.PHONY: live-local
live-local: node_modules/.installed local-tools ## the features against a local pool: cognito-local + the RIE running BOOTSTRAP=path (default: a fresh dist/bootstrap, all profiles), or RUNTIME=nodejs20.x CODE=dir HANDLER=index.handler; PROFILE=list to choose
	@if [ -z "$(CODE)" ] && [ "$(BOOTSTRAP)" = "$(BOOTSTRAP_BIN)" ]; then $(MAKE) --no-print-directory build; fi
	$(GO) run ./internal/cmd/livelocal $(if $(CODE),--runtime '$(RUNTIME)' --code '$(CODE)' $(if $(HANDLER),--handler '$(HANDLER)'),--bootstrap '$(BOOTSTRAP)' $(if $(filter $(BOOTSTRAP_BIN),$(BOOTSTRAP)),--own)) $(if $(TAGS),--tags '$(TAGS)') $(if $(PROFILE),--profile '$(PROFILE)')

# python3 runs the Python handlers, with Debian's boto3 as Lambda's Python
# runtimes include boto3; bubblewrap (bwrap) gives the handler a sandbox like
# Lambda's. No compiler: aws-lambda-ric installs without its native build.
# Debian's packages, installed when missing and root.
LOCAL_TOOLS := python3 bwrap
BOTO3_DIR := /usr/lib/python3/dist-packages/boto3

.PHONY: local-tools
local-tools: ## install what `autoconfirm-conformance local` needs: Debian's python3 and python3-boto3, bubblewrap (the handler's sandbox), if missing; no compiler
	@missing=$$(for t in $(LOCAL_TOOLS); do command -v $$t >/dev/null || echo $$t; done; [ -d $(BOTO3_DIR) ] || echo python3-boto3); \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "local-tools: missing $$missing; installing Debian's python3 python3-boto3 bubblewrap with apt-get"; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-boto3 bubblewrap >/dev/null; \
	    else echo "local-tools: missing $$missing: run apt-get install python3 python3-boto3 bubblewrap"; exit 2; fi; \
	  fi; \
	  missing=$$(for t in $(LOCAL_TOOLS); do command -v $$t >/dev/null || echo $$t; done; [ -d $(BOTO3_DIR) ] || echo python3-boto3); \
	  if [ -n "$$missing" ]; then echo "local-tools: still missing $$missing"; exit 2; fi

.PHONY: gate-check
gate-check: node_modules/.installed local-tools ## every end-to-end check but those of rie-check, release-check and report-check, so a new one runs by default: handlers nobody here wrote through `local` with their verdicts, hosting and the process as Lambda runs them, the pool's id and shape, faults, answers and crashes, the sandbox, SIGKILL, a hostile AWS configuration, diff, the Action, templates
	$(E2E) -v -skip '^(TestBootstrapUnderRIE|TestBootstrapPolicies|TestReleaseSnapshot|TestGoInstall|TestReportInChromium)$$'

# goreleaser is pinned in tools/go.mod, apart from the project's module.
GORELEASER := $(GO) tool -modfile=tools/go.mod goreleaser

.PHONY: release-snapshot
release-snapshot: ## build every release artefact into dist/release with goreleaser, without publishing: the runner for linux and darwin (amd64, arm64), the function's zip per architecture, checksums
	$(GORELEASER) release --snapshot --clean

.PHONY: release-check
release-check: release-snapshot ## check what release-snapshot made: the checksums verify, each binary is for its platform, this host's starts and prints its version, the zips hold the bootstrap as make package zips it
	$(E2E) -v -run '^(TestReleaseSnapshot|TestGoInstall)$$' -args -release='$(abspath $(DIST))/release'

.PHONY: bench
bench: build node_modules/.installed local-tools ## measure against the baselines, side by side, and print the table (see docs/performance.md)
	$(GO) run ./internal/cmd/bench --bootstrap $(BOOTSTRAP_BIN)

.PHONY: report-check
report-check: ## render the HTML report in headless Chromium and save screenshots in REPORT_DIR; installs Debian's chromium with apt-get if it is missing and you are root
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { echo "report-check: chromium is missing; installing Debian's chromium package with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }; } || \
	  { echo "install Debian's chromium package to check the report"; exit 2; }
	$(E2E) -run '^TestReportInChromium$$' -args -out='$(abspath $(REPORT_DIR))'

.PHONY: clean
clean: ## remove build output and reports
	rm -rf $(DIST) $(REPORT_DIR)
