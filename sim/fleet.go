package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// The model computes the shop's traffic as one flow; the fleet splits each
// step's whole counts over the web servers behind the balancer. Every count
// is split, never re-derived, so the servers' series sum to the model's
// totals whatever the fleet's size.

// serverState is one web server's series at the end of the last step.
type serverState struct {
	ok, bad, bytes [nHandlers]float64
	hists          [nHandlers]hist
	connections    float64
}

// stepFlows is one step of the model's traffic, as the fleet splits it.
type stepFlows struct {
	t float64 // seconds after T0 at the step's start
	// served and failed are each handler's fractional flows this step:
	// the shares are worked out from them. ok and bad are the whole
	// counts the model booked from them.
	served, failed, ok, bad [nHandlers]float64
	rho                     [nHandlers]float64 // the fleet's load on each dynamic endpoint's ceiling
	jitter                  [nHandlers]float64 // the model's latency noise this step (dynamic endpoints)
	linkRho                 float64            // origin bytes asked for over the link's capacity
	requests                float64            // requests that reached the balancer this step
	connections             float64            // the model's connections after the step
}

// bytesPer is what one answered request of each handler sends; the page
// sends its HTML, a static request one resource.
func (sc *scenario) bytesPer() [nHandlers]float64 {
	return [nHandlers]float64{iPage: sc.pageBytes, iStatic: sc.resourceBytes,
		iLogin: dynamicBytes[hLogin], iCart: dynamicBytes[hCart], iBuy: dynamicBytes[hBuy]}
}

// appBase is each handler's time to answer at no load, in seconds: the
// page is rendered, static files come from memory, the dynamic endpoints
// ask the shop's back end.
var appBase = [nHandlers]float64{iPage: 0.02, iStatic: 0.002,
	iLogin: baseLatency[hLogin], iCart: baseLatency[hCart], iBuy: baseLatency[hBuy]}

// The origin link is shared by the fleet: a request's first bytes queue
// behind the bytes already being sent, linkBase at no load, and once the
// link is full the queue stops growing at linkCap, the socket buffers'
// worth (the requests beyond it are the gateway's 502s).
const (
	linkBase = 0.002
	linkCap  = 1.0
)

// appCapacity is the requests per second the fleet's web servers take in
// between them, each an equal slice, before requests queue for a worker:
// twice the lean shop's peak, below the crash's flood. serverBase is a
// worker's mean time per request, the unit of that queue's wait.
const (
	appCapacity = 1600
	serverBase  = 0.02
)

// fleet is the web servers behind the balancer. All but one are alike; the
// hot one is the server the crash's balancer misweights, so a step's split
// needs one share (the hot server's) and an even split of the rest.
type fleet struct {
	sc       *scenario
	names    []string
	servers  []serverState
	hot      int // index of web-3, or of the last server in a smaller fleet
	bytesPer [nHandlers]float64
	rng      *rand.Rand // per-server latency noise, apart from the model's stream

	// Each counter (a handler's ok and bad) has the hot server's tally and
	// the next of the others to take a remainder, so no server is favoured.
	hotTally [2 * nHandlers]tally
	next     [2 * nHandlers]int

	// Origin bytes/s and 502s/s of the hot server and of each other one,
	// smoothed as the model smooths them, for the connections' split.
	hotBytes, restBytes, hotGate, restGate ewma
	multHot, multRest                      float64 // each server's load against a fair share, this step
}

func newFleet(sc *scenario, seed int64, n int) *fleet {
	f := &fleet{
		sc:       sc,
		names:    make([]string, n),
		servers:  make([]serverState, n),
		hot:      min(2, n-1),
		bytesPer: sc.bytesPer(),
		// Another stream constant than the model's: the fleet's noise never
		// shifts the model's, so the totals do not depend on the fleet.
		rng:       rand.New(rand.NewPCG(uint64(seed), 0x666c656574)),
		hotBytes:  newEWMA(sc.resourceBytes / downloadSpeed),
		restBytes: newEWMA(sc.resourceBytes / downloadSpeed),
		hotGate:   newEWMA(gatewayHold),
		restGate:  newEWMA(gatewayHold),
	}
	for i := range f.names {
		f.names[i] = fmt.Sprintf("web-%d:8080", i+1)
	}
	return f
}

// other maps the j-th of the servers that are not hot onto its index.
func (f *fleet) other(j int) int {
	if j >= f.hot {
		return j + 1
	}
	return j
}

// book splits one step over the servers.
func (f *fleet) book(fl *stepFlows) {
	n := len(f.servers)
	w := f.sc.hotShare(fl.t, n)
	f.multHot, f.multRest = w*float64(n), 1.0
	if n > 1 {
		f.multRest = (1 - w) * float64(n) / float64(n-1)
	}
	var hotB, hotG, allB, allG float64
	fl.requests = 0
	for h := range nHandlers {
		fl.requests += fl.served[h] + fl.failed[h]
	}
	for h := range nHandlers {
		sShare, fShare := shares(fl.served[h], fl.failed[h], w, n)
		f.split(2*h, fl.ok[h], sShare, func(i int, c float64) {
			s := &f.servers[i]
			s.ok[h] += c
			s.bytes[h] += c * f.bytesPer[h]
			s.hists[h].observe(uint64(c), f.latency(h, i, fl))
		})
		f.split(2*h+1, fl.bad[h], fShare, func(i int, c float64) { f.servers[i].bad[h] += c })
		b := fl.served[h] * f.bytesPer[h]
		hotB += sShare * b
		allB += b
		hotG += fShare * fl.failed[h]
		allG += fl.failed[h]
	}
	f.hotBytes.add(hotB / dt)
	f.hotGate.add(hotG / dt)
	if n > 1 {
		f.restBytes.add((allB - hotB) / float64(n-1) / dt)
		f.restGate.add((allG - hotG) / float64(n-1) / dt)
	}
	// The model's connections (capped at the limit) in proportion to each
	// server's own Little's law, so they sum to the model's figure.
	hot := f.hotBytes.v/downloadSpeed + f.hotGate.v*gatewayHold
	rest := f.restBytes.v/downloadSpeed + f.restGate.v*gatewayHold
	total := hot + rest*float64(n-1)
	for i := range f.servers {
		share := 1 / float64(n)
		if total > 0 {
			share = rest / total
			if i == f.hot {
				share = hot / total
			}
		}
		f.servers[i].connections = fl.connections * share
	}
}

// shares returns the hot server's share of a handler's answered and of its
// failed requests when the balancer sends it w of the attempts. Each server
// has an equal slice of the capacity, so failures fall first on the server
// sent more than its slice: the answered requests are water-filled up to a
// common level, and what a server was sent above it fails.
func shares(served, failed, w float64, n int) (sShare, fShare float64) {
	sShare, fShare = w, w
	attempts := served + failed
	hotServed := math.Min(math.Max(served-(1-w)*attempts, served/float64(n)), w*attempts)
	if served > 0 {
		sShare = clamp01(hotServed / served)
	}
	if failed > 0 {
		fShare = clamp01((w*attempts - hotServed) / failed)
	}
	return sShare, fShare
}

func clamp01(x float64) float64 { return math.Min(math.Max(x, 0), 1) }

// split books the whole count c of counter k: the hot server takes share s
// of it through its tally, the others equal parts, the remainder going
// round them in turn. give is called once for each server that gets any.
func (f *fleet) split(k int, c, s float64, give func(i int, c float64)) {
	if c <= 0 {
		return
	}
	others := len(f.servers) - 1
	if others == 0 {
		give(f.hot, c) // a share of 1 may be a hair under it in floats
		return
	}
	hot := math.Min(f.hotTally[k].take(c*s), c)
	if hot > 0 {
		give(f.hot, hot)
	}
	rest := c - hot
	if rest <= 0 {
		return
	}
	q := math.Floor(rest / float64(others))
	r := int(rest - q*float64(others))
	start := f.next[k]
	f.next[k] = (start + r) % others
	if q == 0 {
		for j := range r {
			give(f.other((start+j)%others), 1)
		}
		return
	}
	for j := range others {
		c := q
		if (j-start+others)%others < r {
			c++
		}
		give(f.other(j), c)
	}
}

// latency is how long server i took to answer handler h this step, in
// seconds, to the first byte: the wait for a worker, rising as the server's
// slice of the fleet's capacity fills; the handler's own time (for a
// dynamic endpoint rising as the server's slice of its ceiling fills); and
// the wait for the shared link. A request still waiting when the gateway
// gives up (gatewayHold) is a 502, so an answer never takes longer.
func (f *fleet) latency(h, i int, fl *stepFlows) float64 {
	mult := f.multRest
	if i == f.hot {
		mult = f.multHot
	}
	worker := queueWait(serverBase, fl.requests/dt/appCapacity*mult) - serverBase
	handler, jitter := appBase[h], math.Exp(0.25*f.rng.NormFloat64())
	if h >= iLogin {
		handler = queueWait(appBase[h], fl.rho[h]*mult)
		jitter = fl.jitter[h] * math.Exp(0.1*f.rng.NormFloat64())
	}
	link := math.Min(linkCap, queueWait(linkBase, fl.linkRho))
	return math.Min(gatewayHold, (worker+handler+link)*jitter)
}

// queueKnee is the load from which queueWait stops following M/M/1.
const queueKnee = 0.95

// queueWait is the time to answer at load rho (demand over capacity) for a
// service taking base seconds unloaded: the M/M/1 shape base/(1-rho) up to
// the knee, then growing with the square of the overload, so a server sent
// twice as much as its saturated neighbours answers slower still.
func queueWait(base, rho float64) float64 {
	if rho < queueKnee {
		return base / (1 - math.Max(rho, 0))
	}
	x := rho / queueKnee
	return base / (1 - queueKnee) * x * x
}
