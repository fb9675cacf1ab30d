# platformctl — see README.md. Every target works from a clean clone.
GO        ?= go
PKGS      := ./...
BIN       := bin/platformctl
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE      ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
LDFLAGS   := -s -w -X github.com/platformctl/platformctl/pkg/version.Version=$(VERSION) \
             -X github.com/platformctl/platformctl/pkg/version.Commit=$(COMMIT) -X github.com/platformctl/platformctl/pkg/version.Date=$(DATE)
GOLANGCI  := github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
GORELEASER:= github.com/goreleaser/goreleaser/v2@v2.15.1

.PHONY: all build test unit kustomize-matrix e2e bench bench-lint golden fuzz lint vet fmt-check snapshot release-check clean

all: build test

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/platformctl

## test: everything CI runs — vet, unit tests (with krusty oracle and goldens), the Kustomize matrix, the API-server e2e tier.
test: unit kustomize-matrix e2e

unit: fmt-check vet
	$(GO) test -count=1 $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out="$$(gofmt -l cmd pkg)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## kustomize-matrix: every example × environment built by Kustomize v5.4–v5.8 must equal platformctl build (releases cached, see test/kustomize).
kustomize-matrix:
	bash test/kustomize/run.sh

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

lint:
	$(GO) run $(GOLANGCI) run ./...

snapshot:
	$(GO) run $(GORELEASER) release --snapshot --clean

release-check:
	$(GO) run $(GORELEASER) check

clean:
	rm -rf bin dist

## bench-lint: the lint corpus (10,000 objects, 200 files) through the real binary, with peak RSS; start-up against its floor.
bench-lint: build
	$(GO) test -run '^$$' -bench 'LintCorpus|SigsYAMLDecode|LintBinary' -benchtime 5x ./pkg/cmd/lint/
	$(GO) run ./cmd/lintbench -o /tmp/platformctl-lint-corpus
	/usr/bin/time -f 'platformctl lint corpus: %e s wall, %M KiB peak RSS' $(BIN) lint -q -o json /tmp/platformctl-lint-corpus > /dev/null || true
	$(GO) test -run '^$$' -bench 'Startup' -benchtime 100x ./pkg/cmd/lint/
