#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, vet, race tests (unit,
# integration against real Prometheus/VictoriaMetrics when installed, the
# tmux end-to-end test), and the linter.
set -euo pipefail
cd "$(dirname "$0")/.."

unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
go test -race -count=1 -timeout 20m ./...
GOLANGCI="${GOLANGCI:-$(command -v golangci-lint || echo "$(go env GOPATH)/bin/golangci-lint")}"
"$GOLANGCI" run ./...
