package discover

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/launchwatch/launchwatch/capacity"
)

// devicesNote says what each network device sent when init read it,
// busiest first, for the user to see. It is a measurement only: which
// devices bandwidth and host.net_* read is the preset's one rule (the
// physical devices; loopback's instead when they carry under 1% of it),
// since init mostly runs before the launch, on an idle stack, where the
// busiest device is noise (Prometheus' own scrapes over loopback). Empty
// when nothing was measured.
func devicesNote(rates map[string]float64) string {
	if len(rates) == 0 {
		return ""
	}
	ds := slices.Collect(maps.Keys(rates))
	slices.SortFunc(ds, func(a, b string) int {
		if c := cmp.Compare(rates[b], rates[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	sent := make([]string, len(ds))
	for i, d := range ds {
		sent[i] = clean(d) + " " + capacity.FormatByteRate(rates[d])
	}
	return "bytes sent by device when read: " + strings.Join(sent, ", ")
}
