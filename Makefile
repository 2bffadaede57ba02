# launchwatch: make run shows the demo, make test runs everything CI runs.
# Long logic lives in scripts/, not here.

BIN      := bin/launchwatch
PKG      := github.com/launchwatch/launchwatch
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git describe --always --dirty --exclude '*' 2>/dev/null || echo none)
LDFLAGS  := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
GOLANGCI ?= $(shell command -v golangci-lint 2>/dev/null || echo $(shell go env GOPATH)/bin/golangci-lint)
FUZZTIME ?= 20s

.PHONY: all build run demo test test-unit test-update bench lint fmt fuzz tools man clean

all: build

build:
	go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/launchwatch

## run: the embedded demo (simulated storefront, no Prometheus needed)
run: build
	$(BIN) demo

demo: run

## test: vet, race tests (unit, integration, end-to-end), lint
test: build
	scripts/test.sh

## test-unit: the fast tests alone
test-unit:
	go test -race -short ./...

## test-update: rewrite golden files after an intended change (the screen, the exports)
test-update:
	go test ./tui/... ./recording/... ./report/... ./alerts/... -update

bench:
	scripts/bench.sh

lint:
	$(GOLANGCI) run ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

fuzz:
	scripts/fuzz.sh $(FUZZTIME)

## man: the man pages, one a command, generated from the commands into $(MANDIR)
MANDIR ?= man
man: build
	$(BIN) man -o $(MANDIR)

## tools: install the linter at the version CI uses
tools:
	scripts/tools.sh

clean:
	rm -rf bin man
