package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// maxServers is how many servers the fleet table lists, worst first; the
// rest are counted.
const maxServers = 20

// ServerPeaks is one server of the fleet over the recording.
type ServerPeaks struct {
	Name string
	// Requests is its highest requests per second, RequestsAt when.
	Requests   snapshot.Value
	RequestsAt time.Time
	// Share is the highest of its share of the fleet's requests against
	// the mean share (1 is its fair share, 2 twice it), ShareAt when.
	Share   snapshot.Value
	ShareAt time.Time
	// ErrorRate and P95 are its highest error rate and 95th percentile
	// latency, with when.
	ErrorRate   snapshot.Value
	ErrorRateAt time.Time
	P95         snapshot.Value
	P95At       time.Time
	// Gone are the spans it had stopped answering.
	Gone []Span
	// Level is its worst level in the frames' judgements of its subjects
	// (imbalance, errors, latency, gone): the table's order.
	Level capacity.Level
}

// CodeShare is one status code's share of the failing requests.
type CodeShare = snapshot.CodeShare

// fleetAcc gathers each server's peaks and the error codes.
type fleetAcc struct {
	servers map[string]*serverAcc
	codes   map[string]float64 // failed requests per second, summed over the snapshots
	// atPeak is the codes at the error rate's peak.
	errPeak   float64
	errPeakAt time.Time
	atPeak    map[string]snapshot.Value
	// levels is each server's worst level in the frames' judgements of
	// its subjects (imbalance, errors, latency, gone): the live rules,
	// floors and all, not its peaks against bare lines.
	levels map[string]capacity.Level
}

// judge keeps each server's worst level among a frame's judgements.
func (f *fleetAcc) judge(judged []capacity.Judgement) {
	for i := range judged {
		j := &judged[i]
		if j.Level < capacity.LevelWarn || !slices.Contains(capacity.ServerKinds, j.Kind) {
			continue
		}
		if f.levels == nil {
			f.levels = make(map[string]capacity.Level)
		}
		f.levels[j.Name] = max(f.levels[j.Name], j.Level)
	}
}

type serverAcc struct {
	ServerPeaks
	gone *Span
}

func (f *fleetAcc) add(s *snapshot.Snapshot) {
	for code, v := range s.ErrorCodes {
		if x, ok := v.Get(); ok {
			if f.codes == nil {
				f.codes = map[string]float64{}
			}
			f.codes[code] += x
		}
	}
	// atPeak keeps the peak snapshot's ErrorCodes map for the whole walk:
	// safe because Recording.ScanAheadReusing never fills that map again
	// (it reuses Sources and Endpoints only). Reuse it there and this
	// must copy it.
	if e, ok := s.ErrorRate.Get(); ok && len(s.ErrorCodes) > 0 && (f.atPeak == nil || e > f.errPeak) {
		f.errPeak, f.errPeakAt, f.atPeak = e, s.Time, s.ErrorCodes
	}
	if len(s.Fleet) == 0 {
		return
	}
	if f.servers == nil {
		f.servers = map[string]*serverAcc{}
	}
	// The mean share is 1/n of the servers that answered: a server's
	// share against it is its requests times n over the fleet's total.
	var total float64
	n := 0
	for _, srv := range s.Fleet {
		if r, ok := srv.Requests.Get(); ok && !srv.Gone {
			total += r
			n++
		}
	}
	for _, srv := range s.Fleet {
		a := f.servers[srv.Name]
		if a == nil {
			a = &serverAcc{ServerPeaks: ServerPeaks{Name: srv.Name}}
			f.servers[srv.Name] = a
		}
		switch {
		case srv.Gone && a.gone == nil:
			a.gone = &Span{Name: srv.Name, From: s.Time, To: s.Time}
			if !srv.GoneSince.IsZero() && srv.GoneSince.Before(s.Time) {
				a.gone.From = srv.GoneSince
			}
		case srv.Gone:
			a.gone.To = s.Time
		case a.gone != nil:
			a.gone.To = s.Time
			a.Gone = append(a.Gone, *a.gone)
			a.gone = nil
		}
		if srv.Gone {
			continue
		}
		higher(&a.Requests, &a.RequestsAt, srv.Requests, s.Time)
		higher(&a.ErrorRate, &a.ErrorRateAt, srv.ErrorRate, s.Time)
		higher(&a.P95, &a.P95At, srv.LatencyP95, s.Time)
		if r, ok := srv.Requests.Get(); ok && total > 0 && n > 1 {
			higher(&a.Share, &a.ShareAt, snapshot.Some(r*float64(n)/total), s.Time)
		}
	}
}

// higher keeps the highest value and when it first came.
func higher(peak *snapshot.Value, at *time.Time, v snapshot.Value, t time.Time) {
	x, ok := v.Get()
	if !ok {
		return
	}
	if p, known := peak.Get(); !known || x > p {
		*peak, *at = v, t
	}
}

// finish returns the servers worst first: by their worst level in the
// frames' judgements (judge), then their peak share, their peak error
// rate and their name.
func (f *fleetAcc) finish() []ServerPeaks {
	out := make([]ServerPeaks, 0, len(f.servers))
	for _, name := range slices.Sorted(maps.Keys(f.servers)) {
		a := f.servers[name]
		if a.gone != nil {
			a.gone.Open = true
			a.Gone = append(a.Gone, *a.gone)
		}
		a.Level = capacity.LevelOK
		if l, ok := f.levels[name]; ok {
			a.Level = l
		}
		out = append(out, a.ServerPeaks)
	}
	slices.SortStableFunc(out, func(x, y ServerPeaks) int {
		return cmp.Or(cmp.Compare(y.Level, x.Level), cmp.Compare(y.Share.Or(0), x.Share.Or(0)),
			cmp.Compare(y.ErrorRate.Or(0), x.ErrorRate.Or(0)), strings.Compare(x.Name, y.Name))
	})
	return out
}

// codesText writes shares as "502: 61%, 504: 12%".
func codesText(cs []CodeShare) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = clean(c.Code) + ": " + capacity.FormatPercent(c.Share)
	}
	return strings.Join(parts, ", ")
}

// hasLatency reports whether any snapshot measured a latency percentile.
func (r *Report) hasLatency() bool {
	return slices.ContainsFunc(r.samples, func(s sample) bool {
		return !math.IsNaN(s.p50) || !math.IsNaN(s.p95) || !math.IsNaN(s.p99)
	})
}

// latencySection is the latency chart and the errors by code; nil when the
// recording has neither.
func (r *Report) latencySection() (section, bool) {
	lat := r.hasLatency()
	if !lat && len(r.ErrorCodes) == 0 {
		return section{}, false
	}
	s := section{ID: "latency", Title: "Latency and errors by code"}
	if lat {
		s.Charts = []string{"latency"}
		t := table{Head: []string{"percentile", "peak", "at"}}
		for _, name := range []string{snapshot.SignalLatencyP50, snapshot.SignalLatencyP95, snapshot.SignalLatencyP99} {
			pk, ok := r.peakOf(name)
			if !ok {
				continue
			}
			t.Rows = append(t.Rows, []string{strings.TrimPrefix(name, "latency_"), pk.Text, r.Rel(pk.At)})
		}
		s.Tables = append(s.Tables, t)
	} else {
		s.Paras = append(s.Paras, "No latency was measured.")
	}
	if len(r.ErrorCodes) > 0 {
		s.Items = append(s.Items, item{"Failing requests by code, over the run", codesText(r.ErrorCodes)})
		if len(r.ErrorCodesAtPeak) > 0 {
			s.Items = append(s.Items, item{"At the error rate's peak (" + r.Rel(r.ErrorPeakAt) + ")", codesText(r.ErrorCodesAtPeak)})
		}
	}
	return s, true
}

// peakOf is a latency percentile's highest value over the recording and
// when it was measured.
func (r *Report) peakOf(name string) (Peak, bool) {
	for _, list := range [][]Peak{r.Peaks, r.hiddenPeaks} {
		for _, pk := range list {
			if pk.Signal == name {
				pk.Text = capacity.Format(snapshot.UnitSeconds, pk.Value)
				return pk, true
			}
		}
	}
	return Peak{}, false
}

// fleetSection lists the servers worst first; nil without a fleet.
func (r *Report) fleetSection() (section, bool) {
	if len(r.Fleet) == 0 {
		return section{}, false
	}
	s := section{ID: "fleet", Title: "The fleet"}
	s.Paras = []string{fmt.Sprintf("%s servers, worst first: by their share of the fleet's requests against the mean share "+
		"(imbalance lines %sx and %sx) and their error rate.", capacity.FormatCount(float64(len(r.Fleet))),
		capacity.FormatNumber(r.Thresholds.ImbalanceWarn), capacity.FormatNumber(r.Thresholds.ImbalanceCrit))}
	t := table{Head: []string{"server", "peak requests", "peak share vs mean", "peak error rate", "peak p95", "gone"}}
	val := func(v snapshot.Value, at time.Time, format func(float64) string) string {
		x, ok := v.Get()
		if !ok {
			return "–"
		}
		return format(x) + " at " + r.Rel(at)
	}
	shareText := func(x float64) string { return capacity.FormatNumber(x) + "x" }
	for _, sv := range r.Fleet[:min(len(r.Fleet), maxServers)] {
		gone := make([]string, len(sv.Gone))
		for i, g := range sv.Gone {
			gone[i] = r.spanText(g)
		}
		t.Rows = append(t.Rows, []string{clean(sv.Name),
			val(sv.Requests, sv.RequestsAt, func(x float64) string { return capacity.FormatNumber(x) + " req/s" }),
			val(sv.Share, sv.ShareAt, shareText),
			val(sv.ErrorRate, sv.ErrorRateAt, capacity.FormatPercent),
			val(sv.P95, sv.P95At, func(x float64) string { return capacity.Format(snapshot.UnitSeconds, x) }),
			orDash(strings.Join(gone, "; "))})
	}
	s.Tables = []table{t}
	if rest := len(r.Fleet) - maxServers; rest > 0 {
		past := 0
		for _, sv := range r.Fleet[maxServers:] {
			if sv.Level >= capacity.LevelWarn {
				past++
			}
		}
		s.Paras = append(s.Paras, fmt.Sprintf("%s more servers not listed, %s of them past a warning line.",
			capacity.FormatCount(float64(rest)), capacity.FormatCount(float64(past))))
	}
	return s, true
}
