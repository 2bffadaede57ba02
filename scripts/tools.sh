#!/usr/bin/env bash
# Installs the developer tools at pinned versions from the Go module proxy.
set -euo pipefail
GOLANGCI_VERSION=v2.15.0
bin="$(go env GOPATH)/bin"
if ! "$bin/golangci-lint" version 2>/dev/null | grep -q "${GOLANGCI_VERSION#v}"; then
  echo "installing golangci-lint ${GOLANGCI_VERSION}"
  GOFLAGS= go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${GOLANGCI_VERSION}"
fi
