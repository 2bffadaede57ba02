package probe

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/simtest"
	"github.com/launchwatch/launchwatch/sim"

	"github.com/launchwatch/launchwatch/internal/testtool"
)

// serveShop starts a shop whose sale opens a minute after the start, on a
// clock at speed 1 that the test moves by hand.
func serveShop(t testing.TB, scenario string) (*sim.Shop, *testtool.Clock, string) {
	t.Helper()
	clock := testtool.NewClock(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	shop, base := simtest.Serve(t, sim.Options{Scenario: scenario, Speed: 1, StartIn: time.Minute, Seed: 1, Wall: clock.Now})
	return shop, clock, base
}

func simProber(t testing.TB, base string) *Prober {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Options{URL: base + "/", Marker: Marker{Selector: "#buy", Text: "Buy", RequireEnabled: true},
		CDNHosts: []string{u.Host + "/cdn/"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTheFirstLaunchPageLacksItsButtonUntilFifteenMinutesAfterT0(t *testing.T) {
	shop, clock, base := serveShop(t, "first-launch")
	p := simProber(t, base)
	for _, tc := range []struct {
		name    string
		at      time.Duration // after T0
		present bool
	}{
		{"before T0", -30 * time.Second, false},
		{"at T+1m", time.Minute, false},
		{"at T+14m", 14 * time.Minute, false},
		{"at T+16m", 16 * time.Minute, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock.Set(shop.LaunchAt().Add(tc.at)) // speed 1 from the same start: sim time is wall time
			res, err := p.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if res.Button.Present != tc.present {
				t.Fatalf("button present = %v, want %v (%s)", res.Button.Present, tc.present, res.Button.Why)
			}
			if !tc.present && res.Button.Why != "no element matches #buy" {
				t.Errorf("why = %q, want the selector named", res.Button.Why)
			}
			// The crash's page: 20 resources of 500 KB, none compressed
			// that could be, none from the CDN.
			if len(res.Resources) != 20 || len(res.Failed()) != 0 {
				t.Fatalf("resources = %d, failed = %d, want 20 and 0", len(res.Resources), len(res.Failed()))
			}
			if w := res.Weight(); w < 10_000_000 || w > 10_100_000 {
				t.Errorf("weight = %d bytes, want about 10 MB (50 KB page + 20 x 500 KB)", w)
			}
			if share, ok := res.CDNShare(); !ok || share != 0 {
				t.Errorf("cdn share = %v, %v, want 0: the first launch had no CDN", share, ok)
			}
			// The page, the stylesheet and the script go out uncompressed.
			if u := res.UncompressedBytes(); u < 1_000_000 || u > 1_100_000 {
				t.Errorf("uncompressed compressible bytes = %d, want about 1 MB (page, css, js)", u)
			}
		})
	}
}

func TestTheSecondLaunchPageCarriesItsButtonFromT0(t *testing.T) {
	shop, clock, base := serveShop(t, "second-launch")
	p := simProber(t, base)
	clock.Set(shop.LaunchAt().Add(time.Minute))
	res, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Button.Present {
		t.Fatalf("button missing in the second launch: %s", res.Button.Why)
	}
	if len(res.Resources) != 20 || len(res.Failed()) != 0 {
		t.Fatalf("resources = %d, failed = %d, want 20 and 0", len(res.Resources), len(res.Failed()))
	}
	// 2 KB page + 20 x 50 KB, text gzipped, all assets under /cdn/.
	if w := res.Weight(); w < 990_000 || w > 1_020_000 {
		t.Errorf("weight = %d bytes, want about 1 MB", w)
	}
	if share, ok := res.CDNShare(); !ok || share < 0.99 {
		t.Errorf("cdn share = %v, want every asset's bytes (only the 2 KB page from the origin)", share)
	}
	if u := res.UncompressedBytes(); u > 3000 {
		t.Errorf("uncompressed compressible bytes = %d: only the small page may go uncompressed", u)
	}
	for _, r := range res.Resources {
		if r.Compressible() && r.Encoding != "gzip" {
			t.Errorf("%s: encoding %q, want gzip", r.URL, r.Encoding)
		}
	}
}

// BenchmarkProbeSimPage is one whole probe of the first launch's page (HTML
// plus 20 resources, sized by HEAD) over loopback.
// BenchmarkProbeSimPage probes the simulator's sale page: unchanged from
// probe to probe (its parse taken from the cache), and live, the clock
// moved on 10 s a probe as the demo's cadence does (the page's countdown
// and stock change, so it is parsed again; its stylesheets are not).
func BenchmarkProbeSimPage(b *testing.B) {
	for _, bb := range []struct {
		name string
		step time.Duration
	}{{"unchanged", 0}, {"live", 10 * time.Second}} {
		b.Run(bb.name, func(b *testing.B) {
			shop, clock, base := serveShop(b, "first-launch")
			at := shop.LaunchAt().Add(20 * time.Minute)
			clock.Set(at)
			p := simProber(b, base)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				at = at.Add(bb.step)
				clock.Set(at)
				res, err := p.Run(ctx)
				if err != nil || len(res.Resources) != 20 {
					b.Fatalf("probe: %v, %d resources", err, len(res.Resources))
				}
			}
		})
	}
}
