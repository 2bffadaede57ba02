package sim

import "math"

// The shop's fixed facts, shared by both launches. They mirror the capacity
// plan the demo config holds, so the watcher's formulas can be checked
// against a shop that obeys them.
const (
	stockTotal      = 1000
	linkBytesPerSec = 125e6 // 1 Gbit/s origin link
	downloadSpeed   = 200e3 // bytes/s per client connection
	maxConnections  = 10000 // the server's connection limit
	gatewayHold     = 3.0   // seconds a request waits before the gateway answers 502
	retryDelay      = 4.0   // mean seconds before a client retries a 502
	countdownLength = 600.0 // seconds of rising interest before T0
)

// Handlers as they appear in the handler label.
const (
	hPage   = "page"
	hStatic = "static"
	hLogin  = "login"
	hCart   = "cart"
	hBuy    = "buy"
)

// handlers lists every handler label value in a fixed order; the collector
// emits them in this order so scrapes are stable.
var handlers = []string{hPage, hStatic, hLogin, hCart, hBuy}

// dynamicHandlers are the endpoints with stress-tested ceilings and a
// latency histogram.
var dynamicHandlers = []string{hLogin, hCart, hBuy}

// ceilings are the stress-tested max QPS per dynamic endpoint; latency rises
// as load nears them and the excess is answered with 502.
var ceilings = map[string]float64{hLogin: 300, hCart: 200, hBuy: 100}

// baseLatency is each dynamic endpoint's unloaded latency in seconds.
var baseLatency = map[string]float64{hLogin: 0.04, hCart: 0.03, hBuy: 0.08}

// dynamicBytes is the size of each dynamic JSON answer as the model counts it.
var dynamicBytes = map[string]float64{hLogin: 420, hCart: 380, hBuy: 510}

// orderWindow is a stretch of sim time (from seconds after T0) with a mean
// order rate; the last window that has started applies.
type orderWindow struct {
	from float64 // seconds after T0
	rate float64 // orders per second
}

// scenario holds everything that differs between the launches. Times are in
// seconds relative to T0.
type scenario struct {
	name string

	// Page weight as transferred: the HTML document plus resources of equal
	// size, a share of whose bytes the CDN serves.
	pageBytes     float64
	resources     int
	resourceBytes float64
	cdnShare      float64
	assetPrefix   string
	gzipText      bool

	// Fresh page-view demand (attempts/s) through the phases.
	trickle       float64 // pre-launch
	countdownPeak float64 // at the end of the countdown
	avalanchePeak float64 // the refresh avalanche at T0
	avalancheTau  float64 // its decay
	salePV        float64 // the level the sale settles at
	fadeStart     float64 // interest starts fading while the sale drags on (0: never)
	fadeTau       float64
	fadeFloor     float64
	coolPV        float64 // after sell-out
	coolTau       float64
	retryShare    float64 // share of 502'd page attempts the client retries

	// Dynamic requests per page view: log-ins all along, cart visits of the
	// buy flow while the sale is open.
	loginPerView float64
	cartPerView  float64
	// pollsPerOpenPage is the rate (per second) at which an open sale page
	// calls each endpoint after the countdown (the first launch's bug); dwell
	// is how long a visitor keeps the page open, so open pages = PV x dwell.
	pollsPerOpenPage map[string]float64
	dwell            float64

	buttonHiddenFor float64 // seconds after T0 the buy button is missing
	orders          []orderWindow

	// The balancer's misweighting: from hotFrom until hotUntil (seconds
	// after T0) the third server (web-3) is sent hotWeight times the mean
	// share of every request. 0 keeps the fleet balanced all along.
	hotWeight         float64
	hotFrom, hotUntil float64
}

// scenarios are the launches New accepts.
var scenarios = map[string]*scenario{
	"second-launch": {
		name:          "second-launch",
		pageBytes:     2000,
		resources:     20,
		resourceBytes: 50e3,
		cdnShare:      0.9,
		assetPrefix:   "/cdn/",
		gzipText:      true,
		trickle:       20,
		countdownPeak: 60,
		avalanchePeak: 200,
		avalancheTau:  90,
		salePV:        90,
		coolPV:        5,
		coolTau:       120,
		loginPerView:  0.04,
		cartPerView:   0.03,
		orders:        []orderWindow{{from: 0, rate: 1000.0 / 600}},
	},
	"first-launch": {
		name:          "first-launch",
		pageBytes:     50e3,
		resources:     20,
		resourceBytes: 500e3,
		cdnShare:      0,
		assetPrefix:   "/assets/",
		trickle:       3,
		countdownPeak: 8,
		avalanchePeak: 900,
		avalancheTau:  120,
		salePV:        60,
		fadeStart:     30 * 60,
		fadeTau:       10 * 60,
		fadeFloor:     6,
		coolPV:        2,
		coolTau:       300,
		retryShare:    0.7,
		loginPerView:  0.05,
		// After the countdown every open page polls the cart and the
		// session while visitors wait for a button that never comes: the
		// dynamic requests the second launch removed.
		pollsPerOpenPage: map[string]float64{hLogin: 0.2, hCart: 0.5},
		dwell:            60,
		buttonHiddenFor:  15 * 60,
		// The hand-shared link carried a trickle while the button was
		// missing; after the fix the saturated site still sold slowly.
		orders: []orderWindow{{from: 0, rate: 0.05}, {from: 15 * 60, rate: 0.21}},
		// A weight left over from a test sent web-3 twice its share
		// through the crash, until someone reset the balancer.
		hotWeight: 2,
		hotFrom:   0,
		hotUntil:  45 * 60,
	},
}

// hotShare is the share of requests the balancer sends the misweighted
// server at t seconds after T0, in a fleet of n: its fair 1/n outside the
// crash window, hotWeight/n inside it. A fleet of fewer than three has no
// web-3 and stays balanced.
func (sc *scenario) hotShare(t float64, n int) float64 {
	if sc.hotWeight > 0 && n >= 3 && t >= sc.hotFrom && t < sc.hotUntil {
		return sc.hotWeight / float64(n)
	}
	return 1 / float64(n)
}

// originViewBytes is what one page view costs the origin link.
func (sc *scenario) originViewBytes() float64 {
	return sc.pageBytes + float64(sc.resources)*sc.resourceBytes*(1-sc.cdnShare)
}

// freshDemand is the page-view demand (attempts/s) from new visitors at t
// seconds after T0, before noise and retries. soldAt is the sell-out time
// (NaN while stock remains) and atSell the demand at that moment.
func (sc *scenario) freshDemand(t, soldAt, atSell float64) float64 {
	switch {
	case !math.IsNaN(soldAt) && t >= soldAt:
		return sc.coolPV + (atSell-sc.coolPV)*math.Exp(-(t-soldAt)/sc.coolTau)
	case t < -countdownLength:
		return sc.trickle
	case t < 0:
		x := (t + countdownLength) / countdownLength
		return sc.trickle + (sc.countdownPeak-sc.trickle)*x*x
	}
	base := sc.salePV
	if sc.fadeStart > 0 && t > sc.fadeStart {
		base = sc.fadeFloor + (sc.salePV-sc.fadeFloor)*math.Exp(-(t-sc.fadeStart)/sc.fadeTau)
	}
	return base + (sc.avalanchePeak-sc.salePV)*math.Exp(-t/sc.avalancheTau)
}

// orderRate is the mean order rate at t seconds after T0.
func (sc *scenario) orderRate(t float64) float64 {
	rate := 0.0
	for _, w := range sc.orders {
		if t >= w.from {
			rate = w.rate
		}
	}
	return rate
}

// buttonVisible reports whether the sale page carries the buy button at t:
// only while the sale is open, stock remains and no bug hides it.
func (sc *scenario) buttonVisible(t float64, soldOut bool) bool {
	return t >= sc.buttonHiddenFor && t >= 0 && !soldOut
}
