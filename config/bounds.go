package config

import (
	"fmt"

	"github.com/launchwatch/launchwatch/capacity"
)

// planBounds are the largest values a plan's fields may take. Past them a
// figure is a typo or a wrong unit (a resource of 2 TB, a client at
// 1 Tbit/s), and the plan's arithmetic would print nonsense with a straight
// face. Each error states its bound.
var planBounds = []struct {
	field  string
	max    float64
	format func(float64) string
	get    func(capacity.Plan) float64
}{
	{"plan.peak_pv", 1e9, perSecond, func(p capacity.Plan) float64 { return p.PeakPV }},
	{"plan.resources_per_page", 1e5, capacity.FormatCount, func(p capacity.Plan) float64 { return p.ResourcesPerPage }},
	{"plan.resource_size", 1e12, capacity.FormatBytes, func(p capacity.Plan) float64 { return p.ResourceSize }},
	{"plan.download_speed", 100e9 / 8, capacity.FormatBitRate, func(p capacity.Plan) float64 { return p.DownloadSpeed }},
	{"plan.conn_memory", 1e9, capacity.FormatBytes, func(p capacity.Plan) float64 { return p.ConnMemory }},
	{"plan.limits.link", 100e12 / 8, capacity.FormatBitRate, func(p capacity.Plan) float64 { return p.Limits.Link }},
	{"plan.limits.max_connections", 1e10, capacity.FormatCount, func(p capacity.Plan) float64 { return p.Limits.MaxConns }},
	{"plan.limits.memory", 1e15, capacity.FormatBytes, func(p capacity.Plan) float64 { return p.Limits.Memory }},
	{"plan.stock.total", 1e12, capacity.FormatCount, func(p capacity.Plan) float64 { return p.Stock.Total }},
}

// maxEndpointQPS bounds an endpoint's stress-tested ceiling.
const maxEndpointQPS = 1e9

func perSecond(v float64) string { return capacity.FormatCount(v) + "/s" }

// checkBounds reports every field of p past its bound.
func checkBounds(p capacity.Plan, fail func(field string, err error)) {
	for _, b := range planBounds {
		if v := b.get(p); v > b.max {
			fail(b.field, fmt.Errorf("%s is beyond any real plan; at most %s is accepted (check the number and its unit)", b.format(v), b.format(b.max)))
		}
	}
	for i, e := range p.Endpoints {
		if e.MaxQPS > maxEndpointQPS {
			fail(fmt.Sprintf("endpoints[%d].max_qps", i), fmt.Errorf("%s is beyond any real ceiling; at most %s is accepted", perSecond(e.MaxQPS), perSecond(maxEndpointQPS)))
		}
	}
}
