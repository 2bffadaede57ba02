package capacity

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

// examplePlan is the worked example of LAUNCH-OPS.md.
func examplePlan() Plan {
	return Plan{
		PeakPV:           100,
		ResourcesPerPage: 30,
		ResourceSize:     100000,
		DownloadSpeed:    100000,
		ConnMemory:       10000,
	}
}

func TestWorkedExampleComesOutExactly(t *testing.T) {
	p := examplePlan()
	got := p.Peak()
	want := Prediction{
		PV: 100, Bandwidth: 300000000, OriginBandwidth: 300000000,
		Connections: 3000, OriginConnections: 3000, Memory: 30000000,
	}
	if got != want {
		t.Fatalf("Peak() = %+v\nwant     %+v", got, want)
	}
	if s := p.Summary(); s.BandwidthBits != 2400000000 {
		t.Errorf("bits = %v, want 2400000000", s.BandwidthBits)
	}
	if w := p.PageWeight(); w != 3000000 {
		t.Errorf("PageWeight = %v, want 3000000", w)
	}
}

func TestWorkedExampleFromParsedUnits(t *testing.T) {
	size, err1 := ParseBytes("100 KB")
	speed, err2 := ParseByteRate("100 KB/s")
	mem, err3 := ParseBytes("10 KB")
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	p := Plan{PeakPV: 100, ResourcesPerPage: 30, ResourceSize: size, DownloadSpeed: speed, ConnMemory: mem}
	pk := p.Peak()
	if pk.Bandwidth != 3e8 || pk.Connections != 3000 || pk.Memory != 3e7 {
		t.Fatalf("got %+v", pk)
	}
	if FormatByteRate(pk.Bandwidth) != "300 MB/s" || FormatBitRate(pk.Bandwidth) != "2.4 Gbit/s" ||
		FormatCount(pk.Connections) != "3,000" || FormatBytes(pk.Memory) != "30 MB" {
		t.Fatalf("formatted: %s %s %s %s", FormatByteRate(pk.Bandwidth), FormatBitRate(pk.Bandwidth),
			FormatCount(pk.Connections), FormatBytes(pk.Memory))
	}
}

func TestWholeNumberPlansStayExact(t *testing.T) {
	// For whole-number plans whose connections are whole, the formula order
	// must give the exact quotient; sweep a grid to catch a reordering.
	for pv := 1.0; pv <= 500; pv += 7 {
		for res := 1.0; res <= 60; res += 3 {
			for _, size := range []float64{1000, 4096, 100000, 250000} {
				for _, speed := range []float64{1000, 50000, 100000, 125000} {
					p := Plan{ResourcesPerPage: res, ResourceSize: size, DownloadSpeed: speed, ConnMemory: 10000}
					got := p.At(pv)
					num := int64(pv) * int64(res) * int64(size)
					if num%int64(speed) != 0 {
						continue
					}
					if want := float64(num / int64(speed)); got.Connections != want {
						t.Fatalf("pv %v res %v size %v speed %v: connections %v, want %v", pv, res, size, speed, got.Connections, want)
					}
				}
			}
		}
	}
}

func TestCDNShare(t *testing.T) {
	tests := []struct {
		name                          string
		share                         float64
		wantOriginBW, wantOriginConns float64
		wantMemory                    float64
	}{
		{"no CDN leaves everything to the origin", 0, 3e8, 3000, 3e7},
		{"a CDN at 90% leaves a tenth, exactly", 0.9, 3e7, 300, 3e6},
		{"a CDN at 100% leaves nothing", 1, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := examplePlan()
			p.CDNShare = tt.share
			got := p.Peak()
			if got.Bandwidth != 3e8 || got.Connections != 3000 {
				t.Errorf("totals changed with the CDN: %+v", got)
			}
			if got.OriginBandwidth != tt.wantOriginBW || got.OriginConnections != tt.wantOriginConns || got.Memory != tt.wantMemory {
				t.Errorf("got %+v, want origin bw %v conns %v memory %v", got, tt.wantOriginBW, tt.wantOriginConns, tt.wantMemory)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name       string
		limits     Limits
		cdn        float64
		wantNames  []string
		wantBroken []string
		wantFirst  string
	}{
		{"no limits gives no rows", Limits{}, 0, nil, nil, ""},
		{"a roomy plan breaks nothing", Limits{Link: 1e9, MaxConns: 10000, Memory: 1e8}, 0,
			[]string{"link", "connections", "memory"}, nil, ""},
		{"a 1 Gbit/s link is broken", Limits{Link: 125e6}, 0, []string{"link"}, []string{"link"}, "link"},
		{"too few connections are broken", Limits{MaxConns: 1000}, 0, []string{"connections"}, []string{"connections"}, "connections"},
		{"too little memory is broken", Limits{Memory: 1e7}, 0, []string{"memory"}, []string{"memory"}, "memory"},
		{"reaching a limit exactly is not breaking it", Limits{MaxConns: 3000}, 0, []string{"connections"}, nil, ""},
		{"the first broken is the one reached at the lowest PV", Limits{Link: 2e8, MaxConns: 1000, Memory: 2e7}, 0,
			[]string{"link", "connections", "memory"}, []string{"link", "connections", "memory"}, "connections"},
		{"a CDN share can save a limit", Limits{Link: 125e6}, 0.9, []string{"link"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := examplePlan()
			p.Limits, p.CDNShare = tt.limits, tt.cdn
			var names, broken []string
			for _, l := range p.LimitPVs() {
				names = append(names, l.Name)
				if l.Broken {
					broken = append(broken, l.Name)
				}
			}
			if strings.Join(names, ",") != strings.Join(tt.wantNames, ",") || strings.Join(broken, ",") != strings.Join(tt.wantBroken, ",") {
				t.Errorf("limits %v broken %v, want %v broken %v", names, broken, tt.wantNames, tt.wantBroken)
			}
			first, ok := p.FirstBroken()
			if ok != (tt.wantFirst != "") || first.Name != tt.wantFirst {
				t.Errorf("FirstBroken = %+v, %v; want %q", first, ok, tt.wantFirst)
			}
		})
	}
}

func TestLimitPVIsWhereTheLimitIsReached(t *testing.T) {
	p := examplePlan()
	p.Limits = Limits{Link: 125e6, MaxConns: 1500, Memory: 1.5e7}
	want := map[string]float64{"link": 125e6 / 3e6, "connections": 50, "memory": 50}
	for _, l := range p.LimitPVs() {
		if l.PV != want[l.Name] || !l.Reachable {
			t.Errorf("%s reached at %v (reachable %v), want %v", l.Name, l.PV, l.Reachable, want[l.Name])
		}
	}
}

func TestALimitTheOriginNeverSeesIsUnreachable(t *testing.T) {
	p := examplePlan()
	p.CDNShare = 1
	p.Limits = Limits{Link: 1e6}
	l := p.LimitPVs()[0]
	if l.Reachable || l.PV != 0 || l.Broken {
		t.Fatalf("got %+v, want unreachable and not broken", l)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Plan)
		want   []string
	}{
		{"the worked example is valid", func(*Plan) {}, nil},
		{"a zero download speed is refused by name", func(p *Plan) { p.DownloadSpeed = 0 },
			[]string{"plan.download_speed: must be > 0 (the connections formula divides by it)"}},
		{"a CDN share over 1 is refused", func(p *Plan) { p.CDNShare = 1.5 }, []string{"plan.cdn_share: must be within 0..1"}},
		{"a NaN CDN share is refused", func(p *Plan) { p.CDNShare = math.NaN() }, []string{"plan.cdn_share"}},
		{"a negative resource size is refused", func(p *Plan) { p.ResourceSize = -1 }, []string{"plan.resource_size: must not be negative"}},
		{"a NaN peak is refused", func(p *Plan) { p.PeakPV = math.NaN() }, []string{"plan.peak_pv: must be a finite number"}},
		{"a negative limit is refused", func(p *Plan) { p.Limits.Link = -1 }, []string{"plan.limits.link"}},
		{"an endpoint without a ceiling is refused by index", func(p *Plan) {
			p.Endpoints = []Endpoint{{Name: "login", MaxQPS: 100}, {Name: "buy"}}
		}, []string{"endpoints[1].max_qps: must be > 0"}},
		{"duplicate and empty endpoint names are refused", func(p *Plan) {
			p.Endpoints = []Endpoint{{Name: "buy", MaxQPS: 1}, {Name: "buy", MaxQPS: 1}, {MaxQPS: 1}}
		}, []string{`endpoints[1].name: "buy" is already endpoints[0]`, "endpoints[2].name: must not be empty"}},
		{"several problems are all reported", func(p *Plan) { p.DownloadSpeed, p.Stock.Total = -1, -1 },
			[]string{"plan.download_speed", "plan.stock.total"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := examplePlan()
			tt.change(&p)
			err := p.Validate()
			if (err != nil) != (len(tt.want) > 0) {
				t.Fatalf("Validate() = %v, want errors %q", err, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestAnInvalidPlanPredictsNoNaN(t *testing.T) {
	plans := []Plan{
		{},
		{PeakPV: math.MaxFloat64, ResourcesPerPage: math.MaxFloat64, ResourceSize: math.MaxFloat64, DownloadSpeed: 1, ConnMemory: math.MaxFloat64},
		{PeakPV: 1, ResourcesPerPage: 1, ResourceSize: 1, DownloadSpeed: math.Inf(1), CDNShare: math.NaN()},
	}
	for i, p := range plans {
		for _, pv := range []float64{0, 1, -1, math.NaN(), math.Inf(1)} {
			pr := p.At(pv)
			for _, v := range []float64{pr.PV, pr.Bandwidth, pr.OriginBandwidth, pr.Connections, pr.OriginConnections, pr.Memory} {
				if !finite(v) {
					t.Fatalf("plan %d At(%v) = %+v", i, pv, pr)
				}
			}
		}
		if _, err := json.Marshal(p.Summary()); err != nil {
			t.Fatalf("plan %d summary does not marshal: %v", i, err)
		}
	}
}

func TestSummaryJSON(t *testing.T) {
	p := examplePlan()
	p.Limits.Link = 125e6
	b, err := json.Marshal(p.Summary())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"pv": 100.0, "page_weight_bytes": 3e6, "bandwidth_bytes_per_sec": 3e8, "bandwidth_bits_per_sec": 2.4e9,
		"origin_bandwidth_bytes_per_sec": 3e8, "connections": 3000.0, "origin_connections": 3000.0,
		"memory_bytes": 3e7, "first_broken": "link",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v (%s)", k, m[k], v, b)
		}
	}
	if l := m["limits"].([]any)[0].(map[string]any); l["name"] != "link" || l["broken"] != true {
		t.Errorf("limits = %v", m["limits"])
	}
	b, _ = json.Marshal(examplePlan().Summary())
	if !bytes.Contains(b, []byte(`"limits":[]`)) || bytes.Contains(b, []byte("first_broken")) {
		t.Errorf("a plan without limits: %s", b)
	}
}

func TestSummaryText(t *testing.T) {
	tests := []struct {
		name string
		plan func() Plan
		want []string
	}{
		{"the worked example without limits", examplePlan, []string{
			"Bandwidth    300 MB/s (2.4 Gbit/s)\n", "Connections  3,000\n", "Memory       30 MB\n", "No limits set",
		}},
		{"a broken link is named with its PV", func() Plan {
			p := examplePlan()
			p.Limits = Limits{Link: 125e6, MaxConns: 10000}
			return p
		}, []string{"link", "41.7 PV/s", "BROKEN", "Planned peak breaks the link limit first (at 41.7 PV/s)"}},
		{"a roomy plan fits", func() Plan {
			p := examplePlan()
			p.Limits = Limits{MaxConns: 10000}
			return p
		}, []string{"connections", "10,000", "30% ok"}},
		{"a peak near its limit is named as the verdict names it", func() Plan {
			p := examplePlan()
			p.Limits = Limits{Link: 320e6, MaxConns: 3100}
			return p
		}, []string{"link  ", "93.8% WARN", "96.8% CRIT"}},
		{"without a memory per connection memory is not predicted, not 0 B", func() Plan {
			p := examplePlan()
			p.ConnMemory = 0
			return p
		}, []string{"Memory       not predicted: no memory per connection given"}},
		{"a CDN adds origin rows", func() Plan {
			p := examplePlan()
			p.CDNShare = 0.9
			return p
		}, []string{"CDN share", "90%", "Origin bandwidth", "30 MB/s (240 Mbit/s)", "Origin connections", "300"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := tt.plan().Summary().WriteText(&b, DefaultThresholds()); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("missing %q in:\n%s", w, b.String())
				}
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestSummaryTextReportsWriteErrors(t *testing.T) {
	if err := examplePlan().Summary().WriteText(failingWriter{}, DefaultThresholds()); err == nil || err.Error() != "disk full" {
		t.Fatalf("WriteText = %v, want the writer's error", err)
	}
}

func TestValidateNamesEachBadFieldAsAFieldError(t *testing.T) {
	p := examplePlan()
	p.DownloadSpeed, p.CDNShare = 0, 2
	p.Endpoints = []Endpoint{{Name: "buy", MaxQPS: 0}}
	fields, other := FieldErrors(p.Validate())
	var paths []string
	for _, fe := range fields {
		paths = append(paths, fe.Path)
	}
	if want := "plan.download_speed plan.cdn_share endpoints[0].max_qps"; strings.Join(paths, " ") != want || len(other) != 0 {
		t.Errorf("fields %q and others %v, want %s", paths, other, want)
	}
	var fe *FieldError
	if !errors.As(p.Validate(), &fe) || fe.Path != "plan.download_speed" {
		t.Errorf("errors.As finds %+v", fe)
	}
}
