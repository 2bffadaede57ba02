package snapshot

// Probe is what the last probe of the sale page found: the purchase button
// and the page's weight as a first visitor's browser would pull it. Every
// figure is missing, never zero, until a probe has measured it.
type Probe struct {
	// ButtonPresent is 1 when the purchase button's marker matched (the
	// selector, its text, not disabled or hidden where required), else 0.
	ButtonPresent Value `json:"button_present,omitzero"`
	// PageBytes is the page weight as transferred: the HTML document plus
	// every resource it pulls whose size is known, CDN included.
	PageBytes Value `json:"page_bytes,omitzero"`
	// Resources is how many distinct resources the page pulls.
	Resources Value `json:"resources,omitzero"`
	// UncompressedBytes is the bytes of compressible resources (text,
	// scripts, styles, SVG, the HTML itself) sent without a
	// Content-Encoding: what compression would shrink.
	UncompressedBytes Value `json:"uncompressed_bytes,omitzero"`
	// CDNShare is the share (0..1) of PageBytes served by the configured
	// CDN hosts.
	CDNShare Value `json:"cdn_share,omitzero"`
	// FailedResources is how many resources did not load (an error status,
	// no answer).
	FailedResources Value `json:"failed_resources,omitzero"`
	// Age is how old the probe's result is, in seconds on the snapshots'
	// clock (wall time live, simulated time in the demo): the probe runs
	// at its own cadence, slower than the poll.
	Age Value `json:"age_seconds,omitzero"`
}

// Probe signal addresses (see Snapshot.Get).
const (
	SignalProbeButton       = "probe.button_present"
	SignalProbePageBytes    = "probe.page_bytes"
	SignalProbeResources    = "probe.resources"
	SignalProbeUncompressed = "probe.uncompressed_bytes"
	SignalProbeCDNShare     = "probe.cdn_share"
	SignalProbeFailed       = "probe.failed_resources"
	SignalProbeAge          = "probe.age_seconds"
)

// ProbeSignals lists the probe's addresses in display order.
var ProbeSignals = []string{
	SignalProbeButton, SignalProbePageBytes, SignalProbeResources, SignalProbeUncompressed,
	SignalProbeCDNShare, SignalProbeFailed, SignalProbeAge,
}

// probeField returns the probe figure at an address, or nil.
func (s *Snapshot) probeField(signal string) *Value {
	switch signal {
	case SignalProbeButton:
		return &s.Probe.ButtonPresent
	case SignalProbePageBytes:
		return &s.Probe.PageBytes
	case SignalProbeResources:
		return &s.Probe.Resources
	case SignalProbeUncompressed:
		return &s.Probe.UncompressedBytes
	case SignalProbeCDNShare:
		return &s.Probe.CDNShare
	case SignalProbeFailed:
		return &s.Probe.FailedResources
	case SignalProbeAge:
		return &s.Probe.Age
	}
	return nil
}
