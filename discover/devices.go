package discover

import (
	"cmp"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/config"
)

// virtualDevice matches the devices of containers and bridges, whose bytes
// are counted again on the device that carries them out.
var virtualDevice = regexp.MustCompile(`^(veth|docker|br-|cni|flannel|cali|virbr|ifb|lxc)`)

// deviceName is a device name safe to write into a query; a stranger one
// is left out.
var deviceName = regexp.MustCompile(`^[A-Za-z0-9_.:@-]+$`)

// skip reports whether a device is never a carrier.
func skip(d string) bool { return virtualDevice.MatchString(d) || !deviceName.MatchString(d) }

// carrierShare is how large a share of the busiest device's traffic
// another device must send to count as carrying the shop's too.
const carrierShare = 0.1

// carriers are the devices that carry the traffic: the busiest and every
// other one sending at least carrierShare of what it sends, containers'
// and bridges' left out. Loopback is one only when it is the busiest
// (nginx and its clients on one machine, a test), since otherwise it
// carries the host's own chatter. With no traffic measured, every device
// but loopback and the virtual ones. Sorted.
func carriers(rates map[string]float64) []string {
	busiest, top := "", 0.0
	for _, d := range slices.Sorted(maps.Keys(rates)) {
		if !skip(d) && rates[d] > top {
			busiest, top = d, rates[d]
		}
	}
	var out []string
	for _, d := range slices.Sorted(maps.Keys(rates)) {
		if skip(d) || (d == "lo" && busiest != "lo") {
			continue
		}
		if top == 0 || rates[d] >= carrierShare*top {
			out = append(out, d)
		}
	}
	return out
}

// deviceSelector is node_exporter's bytes counters with their matchers.
var deviceSelector = regexp.MustCompile(`(node_network_(?:transmit|receive)_bytes_total)(\{[^}]*\})?`)

// narrowDevices rewrites the preset's network queries to read only the
// devices given (every device when none is): the preset's own device
// matchers guess, the measured traffic knows.
func narrowDevices(sigs map[string]config.Signal, devices []string) {
	if len(devices) == 0 {
		return
	}
	quoted := make([]string, len(devices))
	for i, d := range devices {
		quoted[i] = regexp.QuoteMeta(d)
	}
	m := `{device=~"` + strings.ReplaceAll(strings.Join(quoted, "|"), `\`, `\\`) + `"}`
	for sig, s := range sigs {
		if s.Query != "" {
			s.Query = deviceSelector.ReplaceAllString(s.Query, "${1}"+m)
			sigs[sig] = s
		}
	}
}

// devicesNote says what each device sent when read, busiest first, and
// which ones the network queries read.
func devicesNote(rates map[string]float64, chosen []string) string {
	var ds []string
	for d := range rates {
		if !skip(d) {
			ds = append(ds, d)
		}
	}
	slices.SortFunc(ds, func(a, b string) int {
		if c := cmp.Compare(rates[b], rates[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	sent := make([]string, len(ds))
	for i, d := range ds {
		sent[i] = d + " " + capacity.FormatByteRate(rates[d])
	}
	if len(chosen) == 0 {
		return "every device: none was measured"
	}
	return "bytes sent by device when read: " + strings.Join(sent, ", ") + "; bandwidth and host.net_* read " + strings.Join(chosen, ", ") + ", which carry the traffic"
}
