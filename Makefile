# platformctl — see README.md. Every target works from a clean clone.
GO        ?= go
PKGS      := ./...
BIN       := bin/platformctl
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE      ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
LDFLAGS   := -s -w -X github.com/platformctl/platformctl/pkg/version.Version=$(VERSION) \
             -X github.com/platformctl/platformctl/pkg/version.Commit=$(COMMIT) -X github.com/platformctl/platformctl/pkg/version.Date=$(DATE)
# TAGS are .goreleaser.yaml's build tags (why: see there), so make build is the release binary.
TAGS      := validator_novalidatefn
GOLANGCI  := github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
GORELEASER:= github.com/goreleaser/goreleaser/v2@v2.15.1
# TOOL prints a Go tool's binary, installed once per toolchain and version under
# ~/.cache/platformctl-tools (see .ci/tool), so lint and release checks do not recompile it.
TOOL      := bash .ci/tool
# RACE_PKGS are the packages with goroutines, locks or signal handling of their own: their
# tests run again under the race detector (make race). -race costs 5-10x on 2 cores, so the
# tests with no concurrency of ours are left to make unit: -short skips treeio's process per
# write step, RACE_SKIP the Kustomize comparisons of pkg/render (krusty, single-threaded), its
# property checks over render.Environment (one goroutine: NetworkPolicy reachability, outside
# traffic, references, CRD schemas) and the SIGKILL-at-every-delay render test (the killed child
# never reaches a second goroutine).
# Measured on 2 cores: every test of these packages 7m45s wall (load 7-11); bounded like this 2m09s
# (load 3-5, warm cache); compiling the race variants from an empty build cache adds about 5 min.
RACE_PKGS := ./pkg/treeio/ ./pkg/filelock/ ./pkg/filetxn/ ./pkg/scaffold/ ./pkg/cmd/newcmd/ \
             ./pkg/cmd/initcmd/ ./pkg/cmd/render/ ./pkg/render/ ./pkg/lint/
RACE_SKIP := ^(TestBuildMatchesKustomize|TestSyntheticSpecBuildsLikeKustomize|TestKilledRenderIsRepairedByTheNext|TestExternalIsWhatTheSpecImplies|TestEveryReferenceResolves|TestRolloutsMatchTheCRDs|TestCiliumPoliciesMatchTheCRD|TestReachabilityIsWhatTheSpecImplies)$$

.PHONY: all build test unit race mod-check kustomize-matrix docs-check e2e peers bench bench-kubeconform bench-lint golden fuzz lint vet fmt-check snapshot release-check clean

all: build test

build:
	CGO_ENABLED=0 $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/platformctl

## test: everything CI runs — go.mod tidy, gofmt, vet, unit tests (with krusty oracle and goldens), the race
## detector on the concurrent packages, the Kustomize matrix, the peer linters, the backup scripts run for
## real, the API-server e2e tier.
test: unit race kustomize-matrix docs-check peers restore e2e

unit: mod-check fmt-check vet
	$(GO) test -count=1 $(PKGS)

## race: the tests of the packages with concurrency, under the race detector.
race:
	$(GO) test -race -short -count=1 -skip '$(RACE_SKIP)' $(RACE_PKGS)

## mod-check: go.mod and go.sum are what go mod tidy makes them (a direct import marked indirect fails).
mod-check:
	$(GO) mod tidy -diff

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out="$$(gofmt -l cmd pkg)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## docs-check: every GitHub Actions workflow shown in docs/ passes actionlint (installed once, cached).
docs-check:
	bash test/docs/run.sh

## kustomize-matrix: every example × environment built by Kustomize v5.4–v5.8 must equal platformctl build (releases cached, see test/kustomize).
kustomize-matrix:
	bash test/kustomize/run.sh

## peers: kube-score on every example's production build, 0 CRITICAL with spec.lint.peerAnnotations
## (kube-score cached by .ci/tool; 24 s warm on 2 cores; see docs/peers.md and test/peers).
peers:
	bash test/peers/run.sh

## restore: the backup and restore-test CronJobs' scripts of the examples run against a live PostgreSQL
## and Redis, with rclone to a local remote (installs the engines and rclone when missing; see test/restore).
restore:
	bash test/restore/tools.sh
	PLATFORMCTL_RESTORE_TOOLS=required $(GO) test -count=1 ./test/restore/

## e2e: every example × environment against a real kube-apiserver + etcd built from source (see test/e2e).
e2e:
	bash test/e2e/run.sh

## bench: Go benchmarks (render, build, krusty comparison); figures go to docs/performance.md.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./pkg/render/

## golden: refresh every golden file: -update is defined by pkg/internal/golden alone, so the
## packages whose test binaries link it are exactly the ones that have goldens (and the only ones
## that accept the flag); go list finds them, so none is missed.
GOLDEN_PKG := github.com/platformctl/platformctl/pkg/internal/golden
golden:
	@pkgs="$$($(GO) list -test -f '{{if eq .Name "main"}}{{.ImportPath}}{{range .Deps}} {{.}}{{end}}{{end}}' $(PKGS) \
		| awk '/ $(subst /,\/,$(GOLDEN_PKG))( |$$)/ { sub(/\.test$$/, "", $$1); print $$1 }')"; \
	echo "$(GO) test -count=1" $$pkgs "-update"; $(GO) test -count=1 $$pkgs -update

fuzz:
	$(GO) test ./pkg/spec/ -run '^$$' -fuzz FuzzParse -fuzztime 30s
	$(GO) test ./pkg/lint/rules/ -run '^$$' -fuzz FuzzLint -fuzztime 30s
	$(GO) test ./pkg/yamlfast/ -run '^$$' -fuzz FuzzDecodeEqual -fuzztime 60s
	$(GO) test ./pkg/cmdutil/ -run '^$$' -fuzz FuzzConfig -fuzztime 30s
	$(GO) test ./pkg/celexpr/ -run '^$$' -fuzz FuzzCompileEval -fuzztime 30s
	$(GO) test ./pkg/helmchart/ -run '^$$' -fuzz FuzzRender -fuzztime 30s
	$(GO) test ./pkg/lintinput/ -run '^$$' -fuzz FuzzChart -fuzztime 30s

lint:
	bin="$$($(TOOL) $(GOLANGCI))" && "$$bin" run ./...

snapshot:
	bin="$$($(TOOL) $(GORELEASER))" && "$$bin" release --snapshot --clean

release-check:
	bin="$$($(TOOL) $(GORELEASER))" && "$$bin" check

clean:
	rm -rf bin dist

## bench-kubeconform: the lint corpus through kubeconform -strict (schemas from the same 1.37 OpenAPI) and platformctl lint, side by side.
bench-kubeconform:
	bash test/kubeconform/run.sh

## bench-lint: the lint corpus (10,000 objects, 200 files) through the real binary, with peak RSS; start-up against its floor.
bench-lint: build
	$(GO) test -run '^$$' -bench 'LintCorpus|SigsYAMLDecode|LintBinary' -benchtime 5x ./pkg/cmd/lint/
	$(GO) run ./cmd/lintbench -o /tmp/platformctl-lint-corpus
	/usr/bin/time -f 'platformctl lint corpus: %e s wall, %M KiB peak RSS' $(BIN) lint -q -o json /tmp/platformctl-lint-corpus > /dev/null || true
	$(GO) test -run '^$$' -bench 'Startup' -benchtime 100x ./pkg/cmd/lint/
