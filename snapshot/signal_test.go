package snapshot

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Each row's name is the JSON path of the field it reads and writes, and
// every figure of a snapshot has a row: the table and the data shape
// cannot drift apart.
func TestEveryFigureHasARowNamedByItsJSONPath(t *testing.T) {
	var rows []string
	for sig := range All() {
		if sig.Pattern() {
			continue
		}
		rows = append(rows, sig.Name)
		var s Snapshot
		if !s.Set(sig.Name, Some(42)) {
			t.Fatalf("Set(%s) refused", sig.Name)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		delete(got, "time")
		if path := jsonPaths(got); !slices.Equal(path, []string{sig.Name}) {
			t.Errorf("row %s writes %v", sig.Name, path)
		}
		if v := sig.Get(s).Or(-1); v != 42 {
			t.Errorf("row %s reads %v, want 42", sig.Name, v)
		}
	}
	var fields []string
	valueFields(reflect.TypeFor[Snapshot](), "", &fields)
	slices.Sort(fields)
	slices.Sort(rows)
	if !slices.Equal(fields, rows) {
		t.Errorf("the snapshot's figures %v,\nthe table's rows %v", fields, rows)
	}
}

// jsonPaths lists the dotted paths to the leaves of a decoded object.
func jsonPaths(m map[string]any) []string {
	var out []string
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			for _, p := range jsonPaths(sub) {
				out = append(out, k+"."+p)
			}
			continue
		}
		out = append(out, k)
	}
	return out
}

// valueFields lists the JSON paths of every Value field of a struct type,
// through its nested structs (Host, Probe) but not its maps.
func valueFields(t reflect.Type, prefix string, out *[]string) {
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Type == reflect.TypeFor[Value]():
			*out = append(*out, prefix+name)
		case f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[Snapshot]().Field(0).Type:
			valueFields(f.Type, prefix+name+".", out)
		}
	}
}

func TestTheTablesColumnsHoldTogether(t *testing.T) {
	patterns := 0
	seen := map[string]bool{}
	for sig := range All() {
		if seen[sig.Name] {
			t.Errorf("%s has two rows", sig.Name)
		}
		seen[sig.Name] = true
		if sig.Pattern() {
			patterns++
		}
		if sig.Export && sig.Help == "" {
			t.Errorf("%s is exported without a help line", sig.Name)
		}
		if sig.Of != "" {
			if of, ok := Lookup(sig.Of); !ok || of.Unit != sig.Unit || sig.Rule != RuleUsage {
				t.Errorf("%s is a share of %s: want a RuleUsage row of a known signal in its unit", sig.Name, sig.Of)
			}
		}
		if sig.TextForm != "" && strings.Count(sig.TextForm, "%s") != 1 {
			t.Errorf("%s's text form %q must hold %%s once", sig.Name, sig.TextForm)
		}
		if sig.Suffix != "" && sig.Peak == "" {
			t.Errorf("%s has a peak suffix but no peak", sig.Name)
		}
	}
	if patterns != 1 || !Lookup1(t, EndpointSignal("buy")).Pattern() {
		t.Errorf("want one pattern row, the endpoints'; got %d", patterns)
	}
}

func Lookup1(t *testing.T, name string) Signal {
	t.Helper()
	sig, ok := Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%s) found nothing", name)
	}
	return sig
}

func TestTheSourcesListsComeFromTheTable(t *testing.T) {
	for _, tt := range []struct {
		list   []string
		prefix string
		n      int
	}{{HostSignals, "host.", 8}, {ProbeSignals, "probe.", 7}} {
		if len(tt.list) != tt.n {
			t.Errorf("%s: %v, want %d", tt.prefix, tt.list, tt.n)
		}
		for _, name := range tt.list {
			if !strings.HasPrefix(name, tt.prefix) || !ValidSignal(name) {
				t.Errorf("%s in the %s list", name, tt.prefix)
			}
		}
	}
}

// The table's lookups cost no allocation: Get runs for every figure of
// every frame and record.
func TestGetAndSetDoNotAllocate(t *testing.T) {
	s := Snapshot{Endpoints: map[string]Endpoint{"buy": {}}}
	n := testing.AllocsPerRun(100, func() {
		s.Set(SignalHostCPU, Some(0.5))
		s.Set("endpoints.buy", Some(3))
		_ = s.Get(SignalHostCPU)
		_ = s.Get(SignalProbeAge)
	})
	if n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func BenchmarkGet(b *testing.B) {
	s := fullSnapshot()
	for b.Loop() {
		_ = s.Get(SignalHostTCPMemory)
	}
}

// Every figure of a Server is a fleet row of the table, written under
// the row's own name.
func TestAServersFiguresAreTheFleetRows(t *testing.T) {
	var fields []string
	valueFields(reflect.TypeFor[Server](), "", &fields)
	if rows := slices.Clone(FleetSignals); !slices.Equal(slices.Sorted(slices.Values(fields)), slices.Sorted(slices.Values(rows))) {
		t.Fatalf("a server's figures %v, the fleet rows %v", fields, rows)
	}
	for _, name := range FleetSignals {
		var srv Server
		if !srv.Set(name, Some(42)) {
			t.Fatalf("Set(%s) refused", name)
		}
		b, err := json.Marshal(srv)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		delete(got, "name")
		if path := jsonPaths(got); !slices.Equal(path, []string{name}) {
			t.Errorf("fleet row %s writes %v", name, path)
		}
		if v := srv.Get(name).Or(-1); v != 42 {
			t.Errorf("fleet row %s reads %v", name, v)
		}
	}
}

func TestAnEndpointsLatencyHasItsOwnAddress(t *testing.T) {
	var s Snapshot
	s.Set(EndpointSignal("buy"), Some(10))
	s.Set(EndpointP95Signal("buy"), Some(0.25))
	if got := s.Endpoints["buy"]; got.QPS.Or(-1) != 10 || got.P95.Or(-1) != 0.25 {
		t.Fatalf("endpoint buy = %+v", got)
	}
	if v := s.Get(EndpointP95Signal("buy")).Or(-1); v != 0.25 {
		t.Fatalf("Get p95 = %v", v)
	}
}
