package snapshot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestProbeAddressesGetAndSetTheProbeBlock(t *testing.T) {
	var s Snapshot
	for i, addr := range ProbeSignals {
		if !ValidSignal(addr) || !s.Set(addr, Some(float64(i))) || s.Get(addr).Or(-1) != float64(i) {
			t.Errorf("%s does not address the probe block", addr)
		}
	}
	if s.Probe.PageBytes.Or(-1) != 1 || s.Probe.Age.Or(-1) != float64(len(ProbeSignals)-1) {
		t.Errorf("probe = %+v", s.Probe)
	}
	if ValidSignal("probe.nothing") {
		t.Error("an unknown probe address is valid")
	}
}

func TestTheProbeBlockRoundTripsAndAnOldRecordingReadsWithoutIt(t *testing.T) {
	in := Snapshot{Time: time.Unix(100, 0).UTC(), Probe: Probe{ButtonPresent: Some(0), PageBytes: Some(10.05e6), Resources: Some(20),
		UncompressedBytes: Some(1.05e6), CDNShare: Some(0), FailedResources: Some(0), Age: Some(3.5)}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"probe":{`, `"button_present":0`, `"cdn_share":0`, `"age_seconds":3.5`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("json lacks %s: %s", key, b)
		}
	}
	var out Snapshot
	if err := json.Unmarshal(b, &out); err != nil || out.Probe != in.Probe {
		t.Errorf("round trip: %+v, %v", out.Probe, err)
	}
	// A snapshot from before the probe existed: every figure missing.
	var old Snapshot
	if err := json.Unmarshal([]byte(`{"time":"2026-11-27T12:00:00Z","pv":5}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.Probe != (Probe{}) || old.Probe.ButtonPresent.OK() {
		t.Errorf("old snapshot's probe = %+v, want every figure missing", old.Probe)
	}
	if b, _ := json.Marshal(old); strings.Contains(string(b), "probe") {
		t.Errorf("an unprobed snapshot writes a probe block: %s", b)
	}
}
