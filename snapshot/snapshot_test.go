package snapshot

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func fullSnapshot() Snapshot {
	s := Snapshot{
		Time:        time.Date(2026, 11, 27, 12, 0, 0, 123456789, time.UTC),
		PV:          Some(100),
		Requests:    Some(3100.5),
		Connections: Some(3000),
		Bandwidth:   Some(3e8),
		ErrorRate:   Some(0.1 + 0.2), // not representable exactly in decimal: must still round-trip
		Stock:       Some(0),         // a measured zero is not missing
		Sold:        Some(1.0 / 3),
		Endpoints: map[string]Endpoint{
			"buy":   {QPS: Some(42.25)},
			"login": {},
		},
		Host: Host{
			CPU: Some(0.37), MemoryUsed: Some(8e9), MemoryTotal: Some(16e9), Load1: Some(1.5),
			NetTX: Some(1e6), NetRX: Some(2e5), TCPEstablished: Some(2000), TCPMemory: Some(4096 * 12),
		},
		Sources: map[string]Source{
			"prometheus": {OK: true, LastSuccess: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), Duration: 0.012,
				Signals: []string{"pv", "endpoints.buy"}, Warnings: []string{"partial response"},
				Infos: []string{"metric might not be a counter"}, RateWindow: 4, ScrapeInterval: 1,
				NewestSample: time.Date(2026, 11, 27, 11, 59, 29, 500000000, time.UTC)},
			"scrape": {OK: false, Error: "http://a:9400/metrics: connection refused", LastSuccess: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC),
				Errors:  map[string]string{"http://a:9400/metrics": "connection refused", "endpoints.buy": "no target exposes shop_x"},
				Partial: []string{"pv"}, Signals: []string{"pv", "endpoints.buy"}},
			"host": {OK: false, Error: "read /proc/net/sockstat: permission denied", LastSuccess: time.Date(2026, 11, 27, 11, 59, 59, 0, time.UTC),
				Carried: map[string]time.Time{"host.tcp_memory": time.Date(2026, 11, 27, 11, 59, 58, 0, time.UTC)}},
		},
	}
	return s
}

func TestSnapshotJSONRoundTripsExactly(t *testing.T) {
	in := fullSnapshot()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Snapshot
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !out.Time.Equal(in.Time) {
		t.Fatalf("time: got %v, want %v", out.Time, in.Time)
	}
	out.Time = in.Time // Equal, but the location pointer may differ
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip changed the snapshot:\n in: %+v\nout: %+v\njson: %s", in, out, b)
	}
}

func TestSnapshotJSONUsesTheDocumentedNames(t *testing.T) {
	b, err := json.Marshal(fullSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"time", "pv", "requests", "connections", "bandwidth", "error_rate", "stock", "sold", "endpoints", "host", "sources"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("top-level key %q missing from %s", k, b)
		}
	}
	host := generic["host"].(map[string]any)
	for _, k := range []string{"cpu", "memory_used", "memory_total", "load1", "net_tx", "net_rx", "tcp_established", "tcp_memory"} {
		if _, ok := host[k]; !ok {
			t.Errorf("host key %q missing from %s", k, b)
		}
	}
	if q := generic["endpoints"].(map[string]any)["buy"].(map[string]any)["qps"]; q != 42.25 {
		t.Errorf("endpoints.buy.qps = %v, want 42.25", q)
	}
	if generic["stock"] != 0.0 {
		t.Errorf("a measured zero stock must be written as 0, got %v", generic["stock"])
	}
}

func TestMissingValuesAreOmittedNotZero(t *testing.T) {
	b, err := json.Marshal(Snapshot{Time: time.Unix(0, 0).UTC(), PV: Some(5)})
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, absent := range []string{"requests", "stock", "host", "endpoints", "sources"} {
		if strings.Contains(got, `"`+absent+`"`) {
			t.Errorf("missing %s was written: %s", absent, got)
		}
	}
	var back Snapshot
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Stock.OK() {
		t.Errorf("missing stock came back present: %v", back.Stock)
	}
}

func TestValueRefusesNonFiniteNumbers(t *testing.T) {
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if Some(f).OK() {
			t.Errorf("Some(%v) is present, want missing", f)
		}
	}
	var v Value
	for _, in := range []string{`"abc"`, `1e999`, `true`} {
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("unmarshal %s: want an error", in)
		}
	}
	if err := json.Unmarshal([]byte("null"), &v); err != nil || v.OK() {
		t.Errorf("null: got %v, %v; want missing, nil", v, err)
	}
}

func TestSignalAddressesGetAndSet(t *testing.T) {
	var s Snapshot
	for sig := range All() {
		if sig.Pattern() {
			continue
		}
		addr := sig.Name
		if !ValidSignal(addr) {
			t.Errorf("%s is not a valid signal", addr)
		}
		if !s.Set(addr, Some(7)) {
			t.Errorf("Set(%s) refused", addr)
		}
		if got := s.Get(addr).Or(-1); got != 7 {
			t.Errorf("Get(%s) = %v, want 7", addr, got)
		}
	}
	if !s.Set("endpoints.buy", Some(3)) || s.Endpoints["buy"].QPS.Or(-1) != 3 || s.Get("endpoints.buy").Or(-1) != 3 {
		t.Errorf("endpoints.buy: %+v", s.Endpoints)
	}
	for _, bad := range []string{"", "pvs", "host.", "host.disk", "endpoints."} {
		if ValidSignal(bad) || s.Set(bad, Some(1)) {
			t.Errorf("%q accepted as a signal", bad)
		}
	}
}

func TestCloneIsDeep(t *testing.T) {
	a := fullSnapshot()
	b := a.Clone()
	b.Endpoints["buy"] = Endpoint{QPS: Some(1)}
	src := b.Sources["prometheus"]
	src.Signals[0] = "changed"
	if a.Endpoints["buy"].QPS.Or(0) != 42.25 || a.Sources["prometheus"].Signals[0] != "pv" {
		t.Fatal("changing the clone changed the original")
	}
	b.Sources["scrape"].Errors["pv"] = "changed"
	b.Sources["scrape"].Partial[0] = "changed"
	b.Sources["prometheus"].Infos[0] = "changed"
	if _, ok := a.Sources["scrape"].Errors["pv"]; ok || a.Sources["scrape"].Partial[0] != "pv" ||
		a.Sources["prometheus"].Infos[0] != "metric might not be a counter" {
		t.Fatal("changing the clone's errors, partial or infos changed the original")
	}
}

func TestSourceStaleness(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC)
	fresh := Source{OK: true, LastSuccess: now, Signals: []string{"pv", "stock"}}
	partial := Source{OK: false, Error: "query stock: empty result", LastSuccess: now, Signals: []string{"pv", "stock"},
		Carried: map[string]time.Time{"stock": now.Add(-4 * time.Second)}}
	silent := Source{OK: false, Error: "timeout", LastSuccess: now.Add(-time.Minute), Signals: []string{"pv"}}
	never := Source{OK: false, Error: "connection refused", Signals: []string{"pv"}}
	allFailed := Source{OK: false, Error: "connection refused", LastSuccess: now.Add(-time.Second), Signals: []string{"pv"}}
	behind := Source{OK: true, LastSuccess: now, NewestSample: now.Add(-30 * time.Second), Signals: []string{"pv"}}
	someTargets := Source{OK: true, LastSuccess: now, Partial: []string{"pv"}, Signals: []string{"pv", "stock"}}
	tests := []struct {
		name  string
		src   Source
		sig   string
		down  bool
		stale bool
		want  Staleness
	}{
		{"a source that answered now is up and its figures fresh", fresh, "pv", false, false, Staleness{}},
		{"a partial failure is not down and keeps the measured figure fresh", partial, "pv", false, false, Staleness{}},
		{"a partial failure marks the figure it carried stale with its own age", partial, "stock", false, true, Staleness{Age: 4 * time.Second}},
		{"a source silent for a minute is down and its figures stale", silent, "pv", true, true, Staleness{Age: time.Minute}},
		{"a source that never answered is down, its figures never measured", never, "pv", true, true, Staleness{Never: true}},
		{"a poll in which every signal failed is down at once", allFailed, "pv", true, true, Staleness{Age: time.Second}},
		{"data 30 s behind is stale though the source answered", behind, "pv", false, true, Staleness{Age: 30 * time.Second}},
		{"a sum over only some targets is partial", someTargets, "pv", false, true, Staleness{Partial: true}},
		{"a signal of the same source read whole is fresh", someTargets, "stock", false, false, Staleness{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.src.Down(now, 5*time.Second); got != tt.down {
				t.Errorf("Down = %v, want %v", got, tt.down)
			}
			got, stale := tt.src.SignalStale(tt.sig, now, 5*time.Second)
			if stale != tt.stale || got != tt.want {
				t.Errorf("SignalStale = %+v, %v; want %+v, %v", got, stale, tt.want, tt.stale)
			}
		})
	}
}

func TestSnapshotDataTime(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC)
	fresh := Source{OK: true, LastSuccess: now, NewestSample: now, Signals: []string{SignalHostCPU}}
	behind := Source{OK: true, LastSuccess: now, NewestSample: now.Add(-time.Minute), Signals: []string{SignalPV}}
	down := Source{OK: false, LastSuccess: now.Add(-time.Hour), NewestSample: now.Add(-time.Hour), Signals: []string{SignalPV}}
	untold := Source{OK: true, LastSuccess: now, Signals: []string{SignalPV}}
	// The probe answers with its last look, minutes old while it is
	// stuck; Alertmanager feeds no figure.
	stuckProbe := Source{OK: true, LastSuccess: now, NewestSample: now.Add(-8 * time.Minute), Signals: slices.Clone(ProbeSignals)}
	alertmanager := Source{OK: true, LastSuccess: now, NewestSample: now.Add(-5 * time.Minute)}
	for _, tt := range []struct {
		name    string
		sources map[string]Source
		want    time.Time
	}{
		{"no source: the snapshot's time", nil, now},
		{"a source that gives no sample time: the snapshot's time", map[string]Source{"scrape": untold}, now},
		{"a source a minute behind beside a fresh one: a minute back", map[string]Source{"host": fresh, "prometheus": behind}, now.Add(-time.Minute)},
		{"a source down an hour holds nothing back", map[string]Source{"host": fresh, "prometheus": down}, now},
		{"a stuck probe holds nothing back", map[string]Source{"host": fresh, "prometheus": behind, "probe": stuckProbe}, now.Add(-time.Minute)},
		{"a source feeding no figure holds nothing back", map[string]Source{"host": fresh, "alertmanager": alertmanager}, now},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Snapshot{Time: now, Sources: tt.sources}).DataTime(); !got.Equal(tt.want) {
				t.Errorf("DataTime %s, want %s", got, tt.want)
			}
		})
	}
}
