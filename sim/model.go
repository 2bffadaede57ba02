package sim

import (
	"math"
	"math/rand/v2"
	"time"
)

// stepDur is the model's fixed simulated step. The model only ever advances in
// whole steps, which is what makes a series a pure function of simulated time
// and seed, whatever the scrape timing.
const stepDur = 100 * time.Millisecond

// dt is stepDur in seconds, for the rate arithmetic.
const dt = 0.1

// Handler indexes into the per-handler arrays; they follow handlers.
const (
	iPage = iota
	iStatic
	iLogin
	iCart
	iBuy
	nHandlers
)

// latencyBuckets are the duration histogram's upper bounds in seconds:
// client_golang's default buckets, as most exporters keep them.
var latencyBuckets = [nBuckets]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// nBuckets sizes the histogram arrays, which keeps state a copyable value.
const nBuckets = 11

// tally turns a fractional flow into whole counts without drift: the
// remainder carries to the next step, so a window's total is exact to one.
type tally struct{ acc float64 }

// take adds x and returns the whole part now due.
func (t *tally) take(x float64) float64 {
	t.acc += x
	n := math.Floor(t.acc)
	t.acc -= n
	return n
}

// ewma smooths a rate with time constant tau; Little's law needs the recent
// arrival rate, not one step's noise.
type ewma struct {
	v     float64
	alpha float64
}

func newEWMA(tau float64) ewma {
	return ewma{alpha: 1 - math.Exp(-dt/math.Max(tau, dt))}
}

func (e *ewma) add(x float64) { e.v += (x - e.v) * e.alpha }

// hist is one handler's duration histogram, in non-cumulative buckets.
type hist struct {
	buckets [nBuckets]uint64
	count   uint64
	sum     float64
}

func (h *hist) observe(n uint64, seconds float64) {
	if n == 0 {
		return
	}
	for i, ub := range latencyBuckets {
		if seconds <= ub {
			h.buckets[i] += n
			break
		}
	}
	h.count += n
	h.sum += float64(n) * seconds
}

// state is the shop's totals at the end of the last step; the fleet holds
// each server's part of them. It is a plain value so a scrape can copy it
// out of the lock.
type state struct {
	elapsed     time.Duration // sim time since start covered by steps
	pageViews   float64
	ok          [nHandlers]float64 // requests answered 200
	bad         [nHandlers]float64 // requests answered 502
	bytes       [nHandlers]float64 // origin bytes sent
	cdnBytes    float64
	connections float64
	orders      int
	button      bool
}

// model advances the shop's traffic in fixed steps from the seeded noise.
type model struct {
	sc      *scenario
	fleet   *fleet
	rng     *rand.Rand
	startIn float64 // seconds from start until T0
	step    int64
	st      state

	noise    float64 // AR(1) demand noise, slow so rates look like traffic
	pending  float64 // clients waiting to retry a 502
	soldAt   float64 // seconds after T0; NaN while stock remains
	atSell   float64 // fresh demand at sell-out, where cool-down starts
	pv, rej  tally
	served   [nHandlers]tally
	failed   [nHandlers]tally
	byteRate ewma // origin bytes/s, over one resource's download time
	gateRate ewma // 502s/s, over the gateway's hold time
	openPV   ewma // page views/s, over the visitors' dwell time
}

func newModel(sc *scenario, seed int64, startIn time.Duration, servers int) *model {
	return &model{
		sc:    sc,
		fleet: newFleet(sc, seed, servers),
		// The stream constant is fixed so only the seed picks the series.
		rng:      rand.New(rand.NewPCG(uint64(seed), 0x6c61756e63680a)),
		startIn:  startIn.Seconds(),
		soldAt:   math.NaN(),
		byteRate: newEWMA(sc.resourceBytes / downloadSpeed),
		gateRate: newEWMA(gatewayHold),
		openPV:   newEWMA(sc.dwell),
	}
}

// advance runs whole steps until the model covers elapsed sim time.
func (m *model) advance(elapsed time.Duration) {
	target := int64(elapsed / stepDur)
	for m.step < target {
		m.tick()
	}
}

// noiseDecay and noiseSigma shape the demand noise: about 4% with a memory of
// several seconds, like real crowds rather than white noise.
var noiseDecay = math.Exp(-dt / 8)

const noiseSigma = 0.04

// tick advances one step.
func (m *model) tick() {
	sc := m.sc
	t := float64(m.step)*dt - m.startIn
	m.step++
	m.st.elapsed = time.Duration(m.step) * stepDur
	soldOut := m.st.orders >= stockTotal

	m.noise = m.noise*noiseDecay + noiseSigma*math.Sqrt(1-noiseDecay*noiseDecay)*m.rng.NormFloat64()
	mult := 1 + m.noise

	fl := stepFlows{t: t}
	fresh := sc.freshDemand(t, m.soldAt, m.atSell)
	release := m.pending * (1 - math.Exp(-dt/retryDelay))
	m.pending -= release
	attempts := fresh*mult*dt + release

	// Dynamic calls go first: they are small, and the link serves them
	// before the heavy page downloads queue behind them.
	var demand [nHandlers]float64
	demand[iLogin] = sc.loginPerView * attempts
	if t >= 0 && !soldOut {
		demand[iCart] = sc.cartPerView * attempts
	}
	if t >= 0 {
		open := m.openPV.v * sc.dwell
		demand[iLogin] += open * sc.pollsPerOpenPage[hLogin] * dt
		demand[iCart] += open * sc.pollsPerOpenPage[hCart] * dt
	}
	dynBytes, dynFailed, dynDemand := 0.0, 0.0, 0.0
	for _, i := range []int{iLogin, iCart} {
		h := handlers[i]
		served := math.Min(demand[i], ceilings[h]*dt)
		dynBytes += served * dynamicBytes[h]
		dynDemand += demand[i] * dynamicBytes[h]
		dynFailed += demand[i] - served
		m.countDynamic(&fl, i, served, demand[i]-served, demand[i]/dt)
	}
	fl.linkRho = (attempts*sc.originViewBytes() + dynDemand) / dt / linkBytesPerSec

	budget := math.Max(linkBytesPerSec*dt-dynBytes, 0)
	views := math.Min(attempts, budget/sc.originViewBytes())
	rejected := attempts - views
	m.pending += rejected * sc.retryShare
	rejShare := 0.0
	if attempts > 0 {
		rejShare = rejected / attempts
	}

	n := m.pv.take(views)
	bad := m.rej.take(rejected)
	m.st.pageViews += n
	m.st.ok[iPage] += n
	m.st.bad[iPage] += bad
	m.st.bytes[iPage] += n * sc.pageBytes
	static := n * float64(sc.resources)
	m.st.ok[iStatic] += static * (1 - sc.cdnShare)
	m.st.bytes[iStatic] += static * sc.resourceBytes * (1 - sc.cdnShare)
	m.st.cdnBytes += static * sc.resourceBytes * sc.cdnShare
	fl.served[iPage], fl.failed[iPage], fl.ok[iPage], fl.bad[iPage] = views, rejected, n, bad
	// A static request is one resource: the count is whole, though the
	// CDN's share makes the product a hair off one.
	fl.served[iStatic] = views * float64(sc.resources) * (1 - sc.cdnShare)
	fl.ok[iStatic] = math.Round(static * (1 - sc.cdnShare))
	m.openPV.add(views / dt)

	// Orders arrive as a Poisson stream so the sell-out time varies with
	// the seed; the buy endpoint fails with the origin's overload.
	orders := 0.0
	if t >= 0 && !soldOut {
		k := poisson(m.rng, sc.orderRate(t)*mult*dt)
		orders = float64(min(k, stockTotal-m.st.orders))
		m.st.orders += int(orders)
		if m.st.orders >= stockTotal {
			m.soldAt = t + dt
			m.atSell = fresh
		}
	}
	buyFail := 0.5 * rejShare
	buyFailed := orders * buyFail / (1 - buyFail)
	buyRate := (orders + buyFailed) / dt
	buyBad := m.failed[iBuy].take(buyFailed)
	m.st.ok[iBuy] += orders
	m.st.bad[iBuy] += buyBad
	m.st.bytes[iBuy] += orders * dynamicBytes[hBuy]
	fl.served[iBuy], fl.failed[iBuy], fl.ok[iBuy], fl.bad[iBuy] = orders, buyFailed, orders, buyBad
	fl.rho[iBuy] = math.Max(buyRate/ceilings[hBuy], 0.9*rejShare)
	fl.jitter[iBuy] = m.jitter()
	dynBytes += orders * dynamicBytes[hBuy]
	dynFailed += buyFailed

	m.byteRate.add((views*sc.originViewBytes() + dynBytes) / dt)
	m.gateRate.add((rejected + dynFailed) / dt)
	m.st.connections = math.Min(m.byteRate.v/downloadSpeed+m.gateRate.v*gatewayHold, maxConnections)
	m.st.button = sc.buttonVisible(t+dt, m.st.orders >= stockTotal)
	fl.connections = m.st.connections
	m.fleet.book(&fl)
}

// countDynamic books one dynamic endpoint's step: served calls answer 200,
// the rest get 502; the fleet times them from the load on the ceiling.
func (m *model) countDynamic(fl *stepFlows, i int, served, failed, demandRate float64) {
	n := m.served[i].take(served)
	bad := m.failed[i].take(failed)
	m.st.ok[i] += n
	m.st.bad[i] += bad
	m.st.bytes[i] += n * dynamicBytes[handlers[i]]
	fl.served[i], fl.failed[i], fl.ok[i], fl.bad[i] = served, failed, n, bad
	fl.rho[i] = demandRate / ceilings[handlers[i]]
	fl.jitter[i] = m.jitter()
}

// jitter is one step's log-normal latency noise of a dynamic endpoint,
// shared by the fleet (a slow moment of the back end slows every server).
// It is drawn every step, answered calls or not, so the stream the orders
// draw from stays where it was before the fleet.
func (m *model) jitter() float64 {
	return math.Exp(0.25 * m.rng.NormFloat64())
}

// poisson draws from a Poisson distribution with a small mean (Knuth's
// method; the model's per-step means stay well below 10).
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	limit := math.Exp(-mean)
	k, p := 0, r.Float64()
	for p > limit {
		k++
		p *= r.Float64()
	}
	return k
}
