package config

import (
	"fmt"
	"slices"
	"strings"
)

// A preset is the signals a known set of exporters answers, each as a
// PromQL query and, where the metrics allow it, a scrape expression.
type preset struct {
	doc     string
	signals map[string]Signal
	// endpoint builds the signal for a dynamic endpoint by name; nil when
	// the exporters carry no per-endpoint series.
	endpoint func(name string) Signal
	// endpointLatency builds an endpoint's 95th percentile time to answer
	// by name; nil when the exporters carry no per-endpoint histogram.
	endpointLatency func(name string) Signal
}

// rateWindow is the range of the presets' rate() queries: Grafana's
// $__rate_interval, which the Prometheus source fills with
// max(interval + scrape interval, 4 x scrape interval), the shortest window
// that still holds enough samples. At a 1 s scrape and 1 s polls that is
// 4 s: a step shows at 90% within about 5 s, where a fixed 30 s window
// took 28 s to rise and 29 s to fall.
const rateWindow = "$__rate_interval"

func rate(sel string) string { return "sum(rate(" + sel + "[" + rateWindow + "]))" }

var basePresets = map[string]preset{
	"sim": {
		doc: "the demo storefront (launchwatch sim)",
		signals: map[string]Signal{
			"pv":          {Query: rate("shop_page_views_total"), Scrape: "rate(shop_page_views_total)"},
			"requests":    {Query: rate("shop_http_requests_total"), Scrape: "rate(shop_http_requests_total)"},
			"connections": {Query: "sum(shop_http_connections_active)", Scrape: "shop_http_connections_active"},
			"bandwidth":   {Query: rate("shop_http_response_bytes_total"), Scrape: "rate(shop_http_response_bytes_total)"},
			"error_rate": {
				// "or vector(0)": before the first 5xx the series does not exist.
				Query:  "(" + rate(`shop_http_requests_total{code=~"5.."}`) + " or vector(0)) / clamp_min(" + rate("shop_http_requests_total") + ", 1e-9)",
				Scrape: `rate(shop_http_requests_total{code=~"5.."}) / rate(shop_http_requests_total)`,
			},
			"stock":       {Query: "sum(shop_stock_remaining)", Scrape: "shop_stock_remaining"},
			"sold":        {Query: rate("shop_orders_total"), Scrape: "rate(shop_orders_total)"},
			"latency_p50": simQuantile(0.5, ""),
			"latency_p95": simQuantile(0.95, ""),
			"latency_p99": simQuantile(0.99, ""),
			"error_codes": {
				Query:  `sum by (code) (rate(shop_http_requests_total{code=~"5.."}[` + rateWindow + `]))`,
				Scrape: `rate(shop_http_requests_total{code=~"5.."})`,
				Label:  "code",
			},
		},
		endpoint: func(name string) Signal {
			sel := fmt.Sprintf("shop_http_requests_total{handler=%q}", name)
			return Signal{Query: rate(sel), Scrape: "rate(" + sel + ")"}
		},
		endpointLatency: func(name string) Signal { return simQuantile(0.95, fmt.Sprintf("{handler=%q}", name)) },
	},
	"nginx-node": {
		doc: "nginx-prometheus-exporter (stub_status) plus node_exporter, through Prometheus",
		signals: map[string]Signal{
			// stub_status has no page views or status codes: pv and
			// error_rate need the shop's own metrics, set under signals.
			"requests":             {Query: rate("nginx_http_requests_total")},
			"connections":          {Query: "sum(nginx_connections_active)"},
			"bandwidth":            {Query: hostBandwidth},
			"host.cpu":             {Query: `1 - avg(rate(node_cpu_seconds_total{mode="idle"}[` + rateWindow + `]))`},
			"host.memory_used":     {Query: "sum(node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes)"},
			"host.memory_total":    {Query: "sum(node_memory_MemTotal_bytes)"},
			"host.load1":           {Query: "max(node_load1)"},
			"host.net_tx":          {Query: rate("node_network_transmit_bytes_total" + physicalDevices)},
			"host.net_rx":          {Query: rate("node_network_receive_bytes_total" + physicalDevices)},
			"host.tcp_established": {Query: "sum(node_netstat_Tcp_CurrEstab)"},
			"host.tcp_memory":      {Query: "sum(node_sockstat_TCP_mem_bytes)"},
		},
	},
}

// virtualDevices are the network devices whose traffic is another
// device's too, counted again: a container's veth pair, a bridge
// (Docker's br-*, br0, Proxmox' vmbr*, LXD's lxdbr*, Podman's, Open
// vSwitch's ovs-*), an
// overlay or tunnel over the NIC (WireGuard's wg*, Tailscale's, ZeroTier's
// zt*, Geneve's genev_sys_*: their packets leave encapsulated through the
// NIC), a bond or team master (bond*, team*: its
// members are physical devices carrying the same bytes), a VLAN
// sub-interface (eth0.100: its tagged frames are counted on the parent).
// Summed with the device under them, the same bytes would count twice.
const virtualDevices = `veth.*|docker.*|br-.*|br\\d.*|vmbr.*|lxdbr.*|virbr.*|podman.*|ovs-.*|genev_.*|cni.*|flannel.*|cali.*|vxlan.*|cilium_.*|kube-.*|lxc.*|tun.*|tap.*|ifb.*|wg.*|tailscale.*|zt.*|bond.*|team.*|.*\\..*`

// physicalDevices is the one rule of which devices carry the host's
// traffic to its users, as a matcher of node_exporter's network counters:
// the physical devices, neither loopback nor virtual. hostBandwidth and
// host.net_tx/net_rx read through it.
const physicalDevices = `{device!~"lo|` + virtualDevices + `"}`

// hostBandwidth is the bytes per second the hosts send to their users, by
// node_exporter: the transmit rate of each host's physical devices
// (physicalDevices). On a host whose physical devices carry less than 1%
// of what its loopback carries (or that has none), loopback counts
// instead: the site is then served over loopback (a load test on the box,
// a shop behind a local tunnel or proxy that is its only client), and the
// NIC's trickle (an ssh session, the scrapes) is not the traffic. Loopback
// is never added to the NIC: beside real egress it carries the box's
// internal traffic (nginx to its upstream, uncompressed; the database; the
// cache), which crosses no link, and counted it would read as a link
// filling up. The choice is made host by host (by instance) and summed, so
// the site's figure is the sum of its servers' as the fleet shows them.
var hostBandwidth = func() string {
	byHost := func(sel string) string {
		return "sum by (instance) (rate(" + sel + "[" + rateWindow + "]))"
	}
	nic := byHost("node_network_transmit_bytes_total" + physicalDevices)
	lo := byHost(`node_network_transmit_bytes_total{device="lo"}`)
	return "sum((" + nic + " >= 0.01 * " + lo + ") or " + lo + " or " + nic + ")"
}()

// simQuantile is the q-quantile of the sim's time to answer, over the
// requests the matchers select ("" for all): Prometheus' histogram_quantile
// over the rate of the buckets summed by le, and the scrape language's.
func simQuantile(q float64, matchers string) Signal {
	const name = "shop_http_request_duration_seconds"
	bucket := name + "_bucket" + matchers
	return Signal{
		Query:  fmt.Sprintf("histogram_quantile(%g, sum by (le) (rate(%s[%s])))", q, bucket, rateWindow),
		Scrape: fmt.Sprintf("histogram_quantile(%g, %s%s)", q, name, matchers),
	}
}

// Presets returns the preset names with one line of description each.
func Presets() map[string]string {
	out := make(map[string]string, len(presets))
	for name, p := range presets {
		out[name] = p.doc
	}
	return out
}

// applyPreset fills in the preset's signals that the file does not set,
// using the query form when Prometheus is configured and the scrape form
// otherwise. Signals written in the file always win. Host signals are left
// to the host source when it is enabled.
func (c *Config) applyPreset() error {
	if c.Preset == "" {
		return nil
	}
	p, ok := presets[c.Preset]
	if !ok {
		names := make([]string, 0, len(presets))
		for n := range presets {
			names = append(names, n)
		}
		slices.Sort(names)
		return fmt.Errorf("unknown preset %q; known: %s", c.Preset, strings.Join(names, ", "))
	}
	pick := func(s Signal) (Signal, bool) {
		out := Signal{Multi: MultiSum, Label: s.Label}
		switch {
		case c.Sources.Prometheus != nil && s.Query != "":
			out.Query = s.Query
		case c.Sources.Scrape != nil && s.Scrape != "":
			out.Scrape = s.Scrape
		default:
			return out, false
		}
		return out, true
	}
	hostLocal := c.Sources.Host != nil && c.Sources.Host.Enabled
	if c.Signals == nil {
		c.Signals = make(map[string]Signal)
	}
	for name, s := range p.signals {
		if _, set := c.Signals[name]; set || (hostLocal && strings.HasPrefix(name, "host.")) {
			continue
		}
		if s, ok := pick(s); ok {
			s.Pos = Pos{File: c.File}
			c.Signals[name] = s
		}
	}
	for i, e := range c.Endpoints {
		if p.endpoint != nil && e.Query == "" && e.Scrape == "" {
			if s, ok := pick(p.endpoint(e.Name)); ok {
				s.Pos = e.Pos
				c.Endpoints[i].Signal = s
			}
		}
		if p.endpointLatency != nil && e.Latency == nil {
			if s, ok := pick(p.endpointLatency(e.Name)); ok {
				s.Pos = e.Pos
				c.Endpoints[i].Latency = &s
			}
		}
	}
	return nil
}
