#!/usr/bin/env bash
# Measures what becomes of webhook alerts when their receiver misbehaves,
# against a real HTTP receiver on loopback (alerts/measure_test.go):
#   - down for 45 s while 6 alerts fire (default timeout 5s, retries 3,
#     backoff 1s): how many reach it once it is back, and in what order;
#   - answering in 4 s against a 2 s timeout: how many times one alert
#     reaches it, and how many distinct dedup_key values those carry.
# About three minutes; prints one line per measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
LAUNCHWATCH_MEASURE_ALERTS=1 go test ./alerts -run '^TestMeasure' -count=1 -v -timeout 10m |
	grep -E '^(outage|receiver|--- |FAIL|ok)'
