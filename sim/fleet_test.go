package sim

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// totalsRecord is one line of testdata/totals-SCENARIO.txt: a series of
// the shop's at one instant, as the shop served it before it had a fleet
// (one set of series, no instance label). The files are a record of those
// figures, not a golden to rewrite: the fleet must sum to them.
type totalsRecord struct {
	seed  int64
	rel   time.Duration
	key   string
	value float64
}

func readTotals(t *testing.T, scenario string) []totalsRecord {
	t.Helper()
	f, err := os.Open("testdata/totals-" + scenario + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []totalsRecord
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var r totalsRecord
		var secs int64
		var value string
		if _, err := fmt.Sscan(sc.Text(), &r.seed, &secs, &r.key, &value); err != nil {
			t.Fatalf("totals-%s.txt:%d: %v", scenario, line, err)
		}
		if r.value, err = strconv.ParseFloat(value, 64); err != nil {
			t.Fatalf("totals-%s.txt:%d: %v", scenario, line, err)
		}
		r.rel = time.Duration(secs) * time.Second
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFleetSumsToTheModelsTotals holds every fleet's sums against the
// figures the shop served before the fleet. Counts are whole and must be
// equal; what is a product of counts and sizes, or a gauge split in
// proportion, within 1e-9 (float rounding over a different order of sums).
func TestFleetSumsToTheModelsTotals(t *testing.T) {
	for _, scenario := range Scenarios() {
		want := readTotals(t, scenario)
		last := want[len(want)-1].rel
		for _, servers := range []int{1, 2, 4, 7, MaxServers} {
			t.Run(fmt.Sprintf("%s with %d servers", scenario, servers), func(t *testing.T) {
				if testing.Short() && servers == MaxServers {
					t.Skip("a fleet of 500 over 100 simulated minutes takes seconds")
				}
				walks := map[int64][]sample{}
				checked := 0
				for _, r := range want {
					if servers == MaxServers && r.seed != want[0].seed {
						continue // one seed is enough to see 500 sum up
					}
					run, ok := walks[r.seed]
					if !ok {
						run = walkReading(t, gather, scenario, r.seed, servers, 5*time.Minute, last)
						walks[r.seed] = run
					}
					i := sort.Search(len(run), func(i int) bool { return run[i].rel >= r.rel })
					if i == len(run) || run[i].rel != r.rel {
						t.Fatalf("no scrape at T0%+v", r.rel)
					}
					got, ok := run[i].values[r.key]
					if !ok {
						t.Fatalf("seed %d, T0%+v: no %s; have %v", r.seed, r.rel, r.key, shopKeys(run[i]))
					}
					exact := r.value == math.Trunc(r.value) && !strings.HasPrefix(r.key, "shop_http_connections_active")
					if exact && got != r.value || !exact && !within(got, r.value, 1e-9) {
						t.Fatalf("seed %d, T0%+v: %s sums to %v over the fleet, the model's total is %v", r.seed, r.rel, r.key, got, r.value)
					}
					checked++
				}
				if checked < 150 {
					t.Fatalf("only %d figures checked", checked)
				}
			})
		}
	}
}

// serverKey is key with the instance label of server n (1-based) added in
// its sorted place.
func serverKey(key string, n int) string {
	name, labels, _ := strings.Cut(key, "{")
	labels = strings.TrimSuffix(labels, "}")
	parts := []string{fmt.Sprintf("instance=web-%d:8080", n)}
	if labels != "" {
		parts = append(parts, strings.Split(labels, ",")...)
	}
	sort.Strings(parts)
	return name + "{" + strings.Join(parts, ",") + "}"
}

// requestsOf sums a server's requests over every handler and code; n 0
// means the fleet.
func requestsOf(s sample, n int, codes ...string) float64 {
	if len(codes) == 0 {
		codes = []string{"200", "502"}
	}
	total := 0.0
	for _, h := range handlers {
		for _, code := range codes {
			key := "shop_http_requests_total{code=" + code + ",handler=" + h + "}"
			if n > 0 {
				key = serverKey(key, n)
			}
			total += s.v(key)
		}
	}
	return total
}

// shareBetween is server n's requests between two scrapes against the
// mean server's: 1 for a fair share, 2 for twice it.
func shareBetween(run []sample, servers, n int, from, to time.Duration, codes ...string) float64 {
	a, b := at(run, from), at(run, to)
	fleet := requestsOf(b, 0, codes...) - requestsOf(a, 0, codes...)
	return (requestsOf(b, n, codes...) - requestsOf(a, n, codes...)) / (fleet / float64(servers))
}

// at is the last scrape at or before rel.
func at(run []sample, rel time.Duration) sample {
	var out sample
	for _, s := range run {
		if s.rel <= rel {
			out = s
		}
	}
	return out
}

func TestTheCrashMisweightsWebThree(t *testing.T) {
	for _, servers := range []int{4, 10} {
		t.Run(fmt.Sprintf("a fleet of %d", servers), func(t *testing.T) {
			run := walkFleet(t, "first-launch", 1, servers, 30*time.Second, 60*time.Minute)
			windows := []struct {
				name     string
				from, to time.Duration
				hot      float64 // web-3's share against the mean
			}{
				{"before the sale", -11 * time.Minute, -time.Minute, 1},
				{"in the avalanche", 0, 5 * time.Minute, 2},
				{"through the crash", 5 * time.Minute, 44 * time.Minute, 2},
				{"once the balancer is reset", 46 * time.Minute, 60 * time.Minute, 1},
			}
			for _, w := range windows {
				got := shareBetween(run, servers, 3, w.from, w.to)
				if !within(got, w.hot, 0.03) {
					t.Errorf("%s web-3 carries %.3fx the mean share of requests, want %vx", w.name, got, w.hot)
				}
				for n := 1; n <= servers; n++ {
					if n == 3 {
						continue
					}
					want := (float64(servers) - w.hot) / float64(servers-1)
					if got := shareBetween(run, servers, n, w.from, w.to); !within(got, want, 0.03) {
						t.Errorf("%s web-%d carries %.3fx the mean share, want %.3fx", w.name, n, got, want)
					}
				}
			}
			// Through the crash web-3 answers more 502s than its share of
			// requests, and answers slower.
			from, to := 5*time.Minute, 44*time.Minute
			if got := shareBetween(run, servers, 3, from, to, "502"); got < 2 {
				t.Errorf("web-3 answers %.2fx the mean share of 502s through the crash, want at least 2x", got)
			}
			hot := quantileBetween(run, "shop_http_request_duration_seconds", 3, 0.5, from, to)
			cool := quantileBetween(run, "shop_http_request_duration_seconds", 1, 0.5, from, to)
			hotMean, coolMean := meanBetween(run, 3, from, to), meanBetween(run, 1, from, to)
			t.Logf("time to answer through the crash: web-3 %.3f s median, %.3f s mean; web-1 %.3f s, %.3f s", hot, hotMean, cool, coolMean)
			if hot < 1.3*cool || hotMean < 1.3*coolMean {
				t.Errorf("web-3 answers in %.3f s (median), %.3f s (mean), web-1 in %.3f s, %.3f s: want web-3 at least 1.3x slower",
					hot, hotMean, cool, coolMean)
			}
			calmHot := quantileBetween(run, "shop_http_request_duration_seconds", 3, 0.5, 46*time.Minute, 60*time.Minute)
			calmCool := quantileBetween(run, "shop_http_request_duration_seconds", 1, 0.5, 46*time.Minute, 60*time.Minute)
			if !within(calmHot, calmCool, 0.2) {
				t.Errorf("after the reset web-3 answers in %.3f s and web-1 in %.3f s (medians), want them alike", calmHot, calmCool)
			}
		})
	}
}

// meanBetween is server n's mean time to answer between two scrapes.
func meanBetween(run []sample, n int, from, to time.Duration) float64 {
	a, b := at(run, from), at(run, to)
	sum, count := 0.0, 0.0
	for _, h := range handlers {
		key := serverKey("shop_http_request_duration_seconds{handler="+h+"}", n)
		sum += b.v(key+"_sum") - a.v(key+"_sum")
		count += b.v(key+"_count") - a.v(key+"_count")
	}
	return sum / count
}

func TestTheSecondLaunchStaysBalanced(t *testing.T) {
	run := fullWalk(t, "second-launch")
	for _, w := range [][2]time.Duration{{-11 * time.Minute, -time.Minute}, {0, 5 * time.Minute}, {5 * time.Minute, 15 * time.Minute}} {
		for n := 1; n <= DefaultServers; n++ {
			if got := shareBetween(run, DefaultServers, n, w[0], w[1]); !within(got, 1, 0.03) {
				t.Errorf("T0%+v to T0%+v: web-%d carries %.3fx the mean share, want 1x", w[0], w[1], n, got)
			}
		}
	}
}

// quantileBetween is histogram_quantile(q) over the increase of a
// histogram's buckets between two scrapes, for server n (0: the fleet's
// sum) and the handlers named (none: all), interpolated inside a bucket as
// Prometheus does.
func quantileBetween(run []sample, name string, n int, q float64, from, to time.Duration, only ...string) float64 {
	a, b := at(run, from), at(run, to)
	if len(only) == 0 {
		only = handlers
	}
	count := func(s sample, ub float64) float64 {
		total := 0.0
		for _, h := range only {
			key := name + "{handler=" + h + "}"
			if n > 0 {
				key = serverKey(key, n)
			}
			if math.IsInf(ub, 1) {
				total += s.v(key + "_count")
			} else {
				total += s.v(key + "_bucket_" + fmtFloat(ub))
			}
		}
		return total
	}
	bounds := append(latencyBuckets[:], math.Inf(1))
	total := count(b, math.Inf(1)) - count(a, math.Inf(1))
	if total == 0 {
		return math.NaN()
	}
	rank, prevUB, prevCount := q*total, 0.0, 0.0
	for _, ub := range bounds {
		c := count(b, ub) - count(a, ub)
		if c >= rank {
			if math.IsInf(ub, 1) {
				return prevUB
			}
			return prevUB + (ub-prevUB)*(rank-prevCount)/(c-prevCount)
		}
		prevUB, prevCount = ub, c
	}
	return prevUB
}

func TestHistogramsAreWellFormed(t *testing.T) {
	for _, scenario := range Scenarios() {
		t.Run(scenario+" buckets never fall from one bound to the next", func(t *testing.T) {
			for _, s := range fullWalk(t, scenario) {
				for n := 1; n <= DefaultServers; n++ {
					for _, h := range handlers {
						key := serverKey("shop_http_request_duration_seconds{handler="+h+"}", n)
						prev := 0.0
						for _, ub := range latencyBuckets {
							c := s.v(key + "_bucket_" + fmtFloat(ub))
							if c < prev {
								t.Fatalf("T0%+v: %s le=%v holds %v, below the %v of the bound before", s.rel, key, ub, c, prev)
							}
							prev = c
						}
						if count := s.v(key + "_count"); count < prev {
							t.Fatalf("T0%+v: %s counts %v, below its last bucket's %v", s.rel, key, count, prev)
						}
						if ok := s.v(serverKey("shop_http_requests_total{code=200,handler="+h+"}", n)); s.v(key+"_count") != ok {
							t.Fatalf("T0%+v: %s counts %v, its server answered %v", s.rel, key, s.v(key+"_count"), ok)
						}
					}
				}
			}
		})
	}
}

func TestLatencyMovesWithLoad(t *testing.T) {
	const name = "shop_http_request_duration_seconds"
	second, first := fullWalk(t, "second-launch"), fullWalk(t, "first-launch")
	tests := []struct {
		name     string
		run      []sample
		from, to time.Duration
		q        float64
		lo, hi   float64 // seconds
		only     []string
	}{
		{"the lean shop answers in tens of ms before the sale", second, -11 * time.Minute, -time.Minute, 0.95, 0.01, 0.1, nil},
		{"the lean shop answers in tens of ms at its peak", second, 0, 2 * time.Minute, 0.95, 0.01, 0.1, nil},
		{"the heavy shop answers in tens of ms before the sale", first, -11 * time.Minute, -5 * time.Minute, 0.95, 0.01, 0.1, nil},
		{"the heavy shop takes seconds once its link saturates", first, time.Minute, 10 * time.Minute, 0.95, 1, 5, nil},
		{"half the heavy shop's answers take a second or more in the crash", first, time.Minute, 10 * time.Minute, 0.5, 1, 5, nil},
		{"the heavy shop's pages are back to tens of ms once the link recovers", first, 60 * time.Minute, 80 * time.Minute, 0.95, 0.01, 0.1,
			[]string{hPage, hStatic}},
		{"while its cart, polled by every open page, stays at its ceiling", first, 60 * time.Minute, 80 * time.Minute, 0.95, 1, 5,
			[]string{hCart}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := quantileBetween(tt.run, name, 0, tt.q, tt.from, tt.to, tt.only...)
			if !(got >= tt.lo && got <= tt.hi) {
				t.Errorf("p%v from T0%+v to T0%+v is %.3f s, want %v s to %v s", tt.q*100, tt.from, tt.to, got, tt.lo, tt.hi)
			}
		})
	}
}

// TestScrapeTimingLeavesTheFleetAlone: the fleet's series, latency noise
// included, are a function of simulated time and seed, however often the
// shop is scraped in between.
func TestScrapeTimingLeavesTheFleetAlone(t *testing.T) {
	coarse := walkFleet(t, "first-launch", 3, 10, 5*time.Minute, 30*time.Minute)
	fine := walkFleet(t, "first-launch", 3, 10, 10*time.Second, 30*time.Minute)
	for _, c := range coarse {
		if c.rel > fine[len(fine)-1].rel {
			break
		}
		f := at(fine, c.rel)
		if f.rel != c.rel {
			t.Fatalf("no fine scrape at T0%+v", c.rel)
		}
		for _, key := range shopKeys(c) {
			if key == "shop_sim_time_seconds{}" {
				continue
			}
			if c.values[key] != f.values[key] {
				t.Fatalf("T0%+v: %s is %v scraped every 5m, %v scraped every 10s", c.rel, key, c.values[key], f.values[key])
			}
		}
	}
}

// BenchmarkSimulatedMinute is the model's cost of one simulated minute of
// the crash, fleet split included, for fleets of 4 and 500: the CPU a
// sped-up shop spends per wall second is this times speed/60.
func BenchmarkSimulatedMinute(b *testing.B) {
	for _, servers := range []int{DefaultServers, MaxServers} {
		b.Run(fmt.Sprintf("%d servers", servers), func(b *testing.B) {
			m := newModel(scenarios["first-launch"], 1, 0, servers)
			for i := 0; b.Loop(); i++ {
				m.advance(time.Duration(i+1) * time.Minute)
			}
		})
	}
}
