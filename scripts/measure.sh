#!/usr/bin/env bash
# Measures the whole process as a user runs it, in a real terminal (tmux),
# at 1 s polls: launchwatch watching a real Prometheus that scrapes the
# simulator (when prometheus is installed), then the demo's config: the
# simulator (a separate process, as a shop's exporters are) scraped
# directly, its sale page probed, and the real host.
# For each screen it prints the CPU used (from /proc, as a share of one
# core), the peak RSS, the resident set at the end split into anonymous
# pages (the heap and the runtime) and the binary's own file pages, and
# the bytes written to the terminal per second beside the size of one full
# repaint; then the same paused; then serve with SSH screens when OpenSSH
# is installed.
#
#   scripts/measure.sh              # 60 s a screen
#   DURATION=20 scripts/measure.sh  # quicker, noisier
#   SERVERS=500 scripts/measure.sh  # the simulated fleet's size (4 by default)
#
# Figures vary with the machine and its load: run it on a quiet one.
set -euo pipefail
export LC_ALL=C # bc and printf agree on the decimal point
cd "$(dirname "$0")/.."

DURATION=${DURATION:-60}
WARMUP=${WARMUP:-5}
SCREENS=${SCREENS:-10}
SERVERS=${SERVERS:-4}
command -v tmux >/dev/null || { echo "measure: needs tmux" >&2; exit 1; }
make -s build
BIN=$PWD/bin/launchwatch
TMP=$(mktemp -d)
SOCK=$TMP/tmux.sock
trap 'tmux -S "$SOCK" kill-server 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; rm -rf "$TMP"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

SIM_PORT=$(free_port)
"$BIN" sim --listen 127.0.0.1:"$SIM_PORT" --start-in 10m --servers "$SERVERS" >/dev/null 2>&1 &
sed "s/127.0.0.1:9400/127.0.0.1:$SIM_PORT/" examples/demo.yaml > "$TMP/demo.yaml"
sleep 1

CLK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
# rss_split PID: the resident set now, as the heap and the runtime (RssAnon)
# and the binary's own pages (RssFile), in MB.
rss_split() { awk '/RssAnon/ {a=$2} /RssFile/ {f=$2} END {printf "%.1f+%.1f", a/1024, f/1024}' "/proc/$1/status"; }
pid_of() { # the launchwatch process under a tmux pane
	local pane_pid; pane_pid=$(tmux -S "$SOCK" display-message -p -t "$1" '#{pane_pid}')
	pgrep -P "$pane_pid" -f launchwatch | head -1
}

# measure NAME W H ARGS...: one screen for DURATION seconds, then paused.
measure() {
	local name=$1 w=$2 h=$3; shift 3
	tmux -S "$SOCK" new-session -d -s m -x "$w" -y "$h" "env -u CI XDG_STATE_HOME=$TMP ${LW_ENV:-} $BIN $* ; sleep 600"
	tmux -S "$SOCK" pipe-pane -o -t m "cat >> $TMP/out"
	sleep "$WARMUP"
	local pid; pid=$(pid_of m)
	local t0 b0; t0=$(cpu_ticks "$pid"); b0=$(stat -c %s "$TMP/out")
	sleep "$DURATION"
	local t1 b1; t1=$(cpu_ticks "$pid"); b1=$(stat -c %s "$TMP/out")
	local repaint; repaint=$(tmux -S "$SOCK" capture-pane -e -p -t m | wc -c)
	tmux -S "$SOCK" send-keys -t m p
	sleep 2
	local p0; p0=$(cpu_ticks "$pid")
	sleep "$DURATION"
	local p1; p1=$(cpu_ticks "$pid")
	printf '%-26s %6.2f%%  %6.2f%%  %6s MB  %9s  %8s B/s  %8s B\n' "$name" \
		"$(echo "scale=4; ($t1-$t0)*100/$CLK/$DURATION" | bc)" \
		"$(echo "scale=4; ($p1-$p0)*100/$CLK/$DURATION" | bc)" \
		"$(echo "scale=1; $(hwm_kb "$pid")/1024" | bc)" "$(rss_split "$pid")" \
		"$(( (b1 - b0) / DURATION ))" "$repaint"
	tmux -S "$SOCK" kill-session -t m
	rm -f "$TMP/out"
}

echo "launchwatch $($BIN version | cut -d' ' -f2-), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), ${DURATION}s a screen"
printf '%-26s %7s  %7s  %9s  %9s  %12s  %10s\n' "screen" "cpu" "paused" "peak RSS" "anon+file" "to terminal" "repaint"
# As the issue's figures were taken: watching a real Prometheus (scraping
# the simulator every second) at 1 s, when prometheus is installed.
if command -v prometheus >/dev/null; then
	PROM_PORT=$(free_port)
	cat > "$TMP/prometheus.yml" <<PROM
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: shop
    static_configs: [{targets: ["127.0.0.1:$SIM_PORT"]}]
PROM
	prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/prom" \
		--web.listen-address=127.0.0.1:"$PROM_PORT" >/dev/null 2>&1 &
	for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1 && break; sleep 0.5; done
	{
		printf 'launch: {name: measure}\ninterval: 1s\npreset: sim\nsources:\n  prometheus:\n    url: http://127.0.0.1:%s\n' "$PROM_PORT"
		sed -n '/^fleet:/,$p' examples/demo.yaml
	} > "$TMP/prom.yaml"
	sleep 5 # a few scrapes, so the rates have two samples
	measure "watch (Prometheus) 200x60" 200 60 watch --config "$TMP/prom.yaml" --no-record --warm 0
fi
measure "watch 200x60"      200 60  watch --config "$TMP/demo.yaml" --no-record
measure "watch 400x120"     400 120 watch --config "$TMP/demo.yaml" --no-record
measure "watch --wall 200x60" 200 60 watch --config "$TMP/demo.yaml" --no-record --wall

if command -v ssh >/dev/null && command -v ssh-keygen >/dev/null; then
	SSH_PORT=$(free_port)
	ssh-keygen -q -t ed25519 -N '' -f "$TMP/id" >/dev/null
	tmux -S "$SOCK" new-session -d -s serve -x 80 -y 24 \
		"env XDG_STATE_HOME=$TMP $BIN serve --config $TMP/demo.yaml --listen 127.0.0.1:$SSH_PORT --no-record --no-bell; sleep 600"
	sleep 2
	spid=$(pid_of serve)
	s0=$(cpu_ticks "$spid")
	sleep "$DURATION"
	s1=$(cpu_ticks "$spid")
	for i in $(seq 1 "$SCREENS"); do
		tmux -S "$SOCK" new-session -d -s "ssh$i" -x 200 -y 60 \
			"ssh -q -tt -p $SSH_PORT -i $TMP/id -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null 127.0.0.1; sleep 600"
	done
	sleep "$WARMUP"
	c0=$(cpu_ticks "$spid")
	sleep "$DURATION"
	c1=$(cpu_ticks "$spid")
	printf '%-26s %6.2f%%  (no screen: %.2f%%; %s screens at 200x60 over SSH, peak RSS %s MB)\n' "serve, $SCREENS screens" \
		"$(echo "scale=4; ($c1-$c0)*100/$CLK/$DURATION" | bc)" \
		"$(echo "scale=4; ($s1-$s0)*100/$CLK/$DURATION" | bc)" "$SCREENS" \
		"$(echo "scale=1; $(hwm_kb "$spid")/1024" | bc)"
else
	echo "serve: skipped (no ssh or ssh-keygen)"
fi
