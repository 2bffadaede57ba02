#!/usr/bin/env bash
# Runs the benchmarks and prints their figures (speed and memory targets are
# checked here, not by timed assertions in tests).
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchmem -count "${COUNT:-1}" ./...
