#!/usr/bin/env bash
# Runs the benchmarks and prints their figures (speed and memory targets are
# checked here, not by timed assertions in tests), then measures the whole
# process in a real terminal (scripts/measure.sh). docs/performance.md says
# what each figure is and what it was last time.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchmem -count "${COUNT:-1}" ./...
scripts/measure.sh
