// Package sim is launchwatch's embedded demo: a flash-sale storefront whose
// traffic comes from a deterministic model on a sped-up clock, served as
// Prometheus metrics and a small real website. `launchwatch sim` serves it on
// a port; `launchwatch demo` runs it in-process and shares its clock.
//
// The package imports nothing else of launchwatch: the shop knows nothing of
// its watcher.
//
// # Clock and determinism
//
// Simulated time is simStart + (wall - wallStart) x Speed, where simStart is
// the wall time at New; the sale opens (T0) StartIn of simulated time later.
// The model advances in fixed 100 ms simulated steps from a PCG generator
// seeded with Options.Seed, lazily up to Now whenever it is read. Scrapes at
// the same simulated instants therefore give identical series for the same
// seed, whatever the wall timing. HTTP requests to the site never change the
// counters.
//
// # Traffic model
//
// Page-view demand follows the phases (times relative to T0): a pre-launch
// trickle, a countdown over the last 10 minutes with rising interest, a
// refresh avalanche at T0 that decays into the sale, and a cool-down after
// sell-out. Demand carries slow noise of about 4%. A page view costs the
// origin the HTML document plus the static resources the CDN does not
// serve; the origin link carries 125 MB/s, and page requests above it are
// answered 502, most of which clients retry a few seconds later. Concurrent
// connections follow Little's law: origin bytes/s divided by the client
// download speed (200 KB/s), plus requests held by the gateway for 3 s before
// it answers 502, capped at the server's 10,000 connections. The dynamic
// endpoints have stress-tested ceilings (login 300, cart 200, buy 100 QPS):
// latency grows as base/(1-load), and calls above the ceiling get 502.
// Orders arrive as a Poisson stream; the 1,000 units never go below zero.
//
// # Fleet
//
// The origin is a fleet of web servers behind a balancer (Options.Servers,
// 4 by default, up to 500), each serving its series under an instance
// label, web-1:8080 to web-N:8080. The model computes the shop's traffic
// as one flow; every step's whole counts are then split over the servers
// (a request is never halved), so the servers' counters sum exactly to
// the model's totals whatever the fleet's size, and the same seed gives
// the same series for every server. Each server has an equal slice of
// the capacity: when the balancer sends one more than its slice, its
// answered requests stop at the others' level and the excess fails, so
// its 502s grow faster than its share. The fleet's latency noise has its
// own random stream: the totals do not move with the fleet.
//
// Latency is the time to the first byte of an answered request: the wait
// for a worker (the fleet takes 1,600 requests/s between its servers
// before requests queue), the handler's own time (page 20 ms, static 2 ms,
// the dynamic endpoints as above, rising with the server's slice of the
// ceiling), and the wait for the shared link (2 ms idle, up to 1 s once it
// is full), with log-normal noise, never past the gateway's 3 s hold. The
// lean shop answers in tens of milliseconds; the crash, in seconds.
//
// second-launch plays the fixed sale: 20 resources of 50 KB (gzipped text,
// images as they are) under /cdn/ with 90% of static bytes from the CDN,
// a 2 KB page, PV from 20/s rising to 60/s at the end of the countdown and a
// 200/s peak at T0, no dynamic calls beyond log-in, cart and buy, and
// a sell-out about 10 minutes after T0.
//
// first-launch plays the crash: 20 uncompressed resources of 500 KB under
// /assets/ with no CDN and a 50 KB page (about 10 MB per view, ten times the
// plan), so the link saturates at about 12.4 served views/s from T0 while a
// 900/s refresh avalanche plus retries turns into thousands of 502s per second
// and thousands of connections. Every open page polls cart and login after
// the countdown (cart sits at its ceiling), the buy button is missing for the
// first 15 minutes, and the 1,000 units take about 90 minutes. Interest fades
// from 30 minutes after T0, and the link recovers at about 50 minutes. From
// T0 to 45 minutes after it the balancer misweights web-3 (in a fleet of
// three or more): it is sent twice the mean share of every request, answers
// more than twice the mean share of 502s, and answers slower. The second
// launch stays balanced.
//
// # Metrics
//
// Served at /metrics from the shop's own registry, with the Go and process
// collectors. Values are read from the model at scrape time. A series with
// an instance label is one server's; the fleet's figure is their sum. A
// Prometheus scraping the shop keeps that label as exported_instance
// (instance names the target it scraped) unless told honor_labels: true,
// and launchwatch's scrape source does the same: the demo config watches
// the fleet by exported_instance.
//
//	shop_page_views_total{instance}                      counter    sale pages served (HTML answered 200)
//	shop_http_requests_total{handler,code,instance}      counter    requests at the origin; handler page|static|login|cart|buy, code 200|502
//	shop_http_response_bytes_total{handler,instance}     counter    bytes the origin sent (502s carry no body in the model)
//	shop_cdn_response_bytes_total                        counter    static bytes the CDN served instead of the origin
//	shop_http_connections_active{instance}               gauge      concurrent origin connections (Little's law, see above)
//	shop_http_request_duration_seconds{handler,instance} histogram  time to first byte of answered requests (not the gateway's 502s); client_golang's default buckets
//	shop_stock_remaining                        gauge      units left; exactly 0 from sell-out on
//	shop_stock_total                            gauge      units on sale (1,000)
//	shop_orders_total                           counter    orders placed; stops at the stock
//	shop_launch_start_timestamp_seconds         gauge      T0 as Unix seconds on the simulated clock
//	shop_sim_speed                              gauge      simulated seconds per wall second
//	shop_sim_time_seconds                       gauge      the simulated clock at scrape time, as Unix seconds
//	shop_purchase_button_visible                gauge      1 when the sale page carries <button id="buy">; 0 before T0, while a bug hides it, and after sell-out
//
// With these, the capacity formulas hold on the sim outside 502 bursts:
// origin bandwidth = PV x origin bytes per view, and connections = origin
// bandwidth / 200 KB/s. During a 502 burst connections exceed the formula
// by the requests the gateway holds: that excess is the crash to be seen.
//
// # Site
//
// "/" is the sale page (HTML referencing its stylesheet, script and images,
// padded to the model's page size), with <button id="buy"> exactly when
// shop_purchase_button_visible is 1. Assets are served under the scenario's
// prefix with the model's sizes; /login, /cart and /buy answer small JSON.
package sim
