package sim

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metric descriptors. Each is documented in the package comment (doc.go).
var (
	descPageViews = prometheus.NewDesc("shop_page_views_total",
		"Sale page views served (HTML answered 200), by web server.", []string{"instance"}, nil)
	descRequests = prometheus.NewDesc("shop_http_requests_total",
		"HTTP requests reaching the origin, by handler, status code and web server.", []string{"handler", "code", "instance"}, nil)
	descBytes = prometheus.NewDesc("shop_http_response_bytes_total",
		"Response bytes the origin sent, by handler and web server.", []string{"handler", "instance"}, nil)
	descCDNBytes = prometheus.NewDesc("shop_cdn_response_bytes_total",
		"Static bytes the CDN served instead of the origin.", nil, nil)
	descConnections = prometheus.NewDesc("shop_http_connections_active",
		"Concurrent client connections at the origin, by web server.", []string{"instance"}, nil)
	descDuration = prometheus.NewDesc("shop_http_request_duration_seconds",
		"Time to the first byte of the requests a web server answered (not the gateway's 502s), by handler.", []string{"handler", "instance"}, nil)
	descStock = prometheus.NewDesc("shop_stock_remaining",
		"Units left to sell.", nil, nil)
	descStockTotal = prometheus.NewDesc("shop_stock_total",
		"Units on sale at the start.", nil, nil)
	descOrders = prometheus.NewDesc("shop_orders_total",
		"Orders placed.", nil, nil)
	descLaunch = prometheus.NewDesc("shop_launch_start_timestamp_seconds",
		"When the sale opens (T0), as Unix seconds on the simulated clock.", nil, nil)
	descSpeed = prometheus.NewDesc("shop_sim_speed",
		"Simulated seconds per wall second.", nil, nil)
	descSimTime = prometheus.NewDesc("shop_sim_time_seconds",
		"The simulated clock at scrape time, as Unix seconds.", nil, nil)
	descButton = prometheus.NewDesc("shop_purchase_button_visible",
		"1 when the sale page carries the buy button, else 0.", nil, nil)
)

// shopCollector reads the model at scrape time, so every scrape reflects the
// simulated clock rather than whatever a background loop last wrote.
type shopCollector struct{ shop *Shop }

// Describe implements prometheus.Collector.
func (c *shopCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPageViews, descRequests, descBytes, descCDNBytes,
		descConnections, descDuration, descStock, descStockTotal, descOrders, descLaunch,
		descSpeed, descSimTime, descButton} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *shopCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.shop
	now := s.Now()
	st, servers := s.collect(now)

	names := s.model.fleet.names // fixed at New
	for n, srv := range servers {
		inst := names[n]
		ch <- prometheus.MustNewConstMetric(descPageViews, prometheus.CounterValue, srv.ok[iPage], inst)
		for i, h := range handlers {
			ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, srv.ok[i], h, "200", inst)
			ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, srv.bad[i], h, "502", inst)
			ch <- prometheus.MustNewConstMetric(descBytes, prometheus.CounterValue, srv.bytes[i], h, inst)
		}
		ch <- prometheus.MustNewConstMetric(descConnections, prometheus.GaugeValue, srv.connections, inst)
		for i, h := range handlers {
			hs := &srv.hists[i]
			cum := make(map[float64]uint64, len(latencyBuckets))
			var run uint64
			for b, ub := range latencyBuckets {
				run += hs.buckets[b]
				cum[ub] = run
			}
			ch <- prometheus.MustNewConstHistogram(descDuration, hs.count, hs.sum, cum, h, inst)
		}
	}
	ch <- prometheus.MustNewConstMetric(descCDNBytes, prometheus.CounterValue, st.cdnBytes)
	ch <- prometheus.MustNewConstMetric(descStock, prometheus.GaugeValue, float64(stockTotal-st.orders))
	ch <- prometheus.MustNewConstMetric(descStockTotal, prometheus.GaugeValue, stockTotal)
	ch <- prometheus.MustNewConstMetric(descOrders, prometheus.CounterValue, float64(st.orders))
	ch <- prometheus.MustNewConstMetric(descLaunch, prometheus.GaugeValue, unixSeconds(s.launchAt))
	ch <- prometheus.MustNewConstMetric(descSpeed, prometheus.GaugeValue, s.speed)
	ch <- prometheus.MustNewConstMetric(descSimTime, prometheus.GaugeValue, unixSeconds(now))
	button := 0.0
	if st.button {
		button = 1
	}
	ch <- prometheus.MustNewConstMetric(descButton, prometheus.GaugeValue, button)
}
