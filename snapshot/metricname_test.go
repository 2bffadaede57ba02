package snapshot

import (
	"regexp"
	"strings"
	"testing"
)

func TestMetricNamesCarryTheirUnitAndNoReservedSuffix(t *testing.T) {
	for _, tc := range []struct{ signal, want, unit string }{
		{SignalPV, "pv", ""},
		{SignalConnections, "connections", ""},
		{SignalBandwidth, "bandwidth_bytes_per_second", ""},
		{SignalErrorRate, "error_ratio", "ratio"},
		{SignalLatencyP95, "latency_p95_seconds", "seconds"},
		{SignalHostCPU, "host_cpu_ratio", "ratio"},
		{SignalHostMemoryUsed, "host_memory_used_bytes", "bytes"},
		{SignalHostMemoryTotal, "host_memory_size_bytes", "bytes"},
		{SignalHostNetTX, "host_net_tx_bytes_per_second", ""},
		{SignalProbeAge, "probe_age_seconds", "seconds"},
		{EndpointPrefix + "buy", "endpoint_qps", ""},
	} {
		sig, ok := Lookup(tc.signal)
		if !ok {
			t.Fatalf("no signal %s", tc.signal)
		}
		if got := sig.MetricName(); got != tc.want {
			t.Errorf("%s: MetricName %q, want %q", tc.signal, got, tc.want)
		}
		if got := sig.MetricUnit(); got != tc.unit {
			t.Errorf("%s: MetricUnit %q, want %q", tc.signal, got, tc.unit)
		}
	}
	valid := regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	seen := map[string]string{}
	for sig := range All() {
		name := sig.MetricName()
		if !valid.MatchString(name) {
			t.Errorf("%s: MetricName %q is not snake_case", sig.Name, name)
		}
		for _, reserved := range []string{"_total", "_count", "_sum", "_bucket", "_created", "_info", "_gcount", "_gsum"} {
			if strings.HasSuffix(name, reserved) {
				t.Errorf("%s: MetricName %q ends in %s, which OpenMetrics keeps for other types", sig.Name, name, reserved)
			}
		}
		if u := sig.MetricUnit(); u != "" && !strings.HasSuffix(name, "_"+u) {
			t.Errorf("%s: MetricName %q does not end in its # UNIT %q", sig.Name, name, u)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("%s and %s share MetricName %q", sig.Name, other, name)
		}
		seen[name] = sig.Name
	}
}
