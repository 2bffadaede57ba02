package collectors

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// CheckLine is one signal's (or one scrape target's) answer to an online
// check of a config.
type CheckLine struct {
	// Source is the source's name; Signal the signal's address, or a
	// scrape target's URL, or source.ErrorKey.
	Source, Signal string
	// Value is what the signal measured; missing on a problem.
	Value snapshot.Value
	// Problem says what is wrong, empty when nothing is: an error, an empty
	// result, an unknown metric, or no value.
	Problem string
	// Severity is how much Problem weighs: an error fails the check; a
	// note is a figure no value can exist for under this config (the
	// CDN's share without cdn_hosts), said and passed.
	Severity Severity
	// Notes are the warnings and infos about this signal.
	Notes []string
}

// Severity is how much a check line's problem weighs. The zero value is
// an error, so a problem nobody weighed fails the check.
type Severity int

const (
	// SeverityError is something wrong: a failing query or scrape, an
	// empty result, a figure missing that the config asks for.
	SeverityError Severity = iota
	// SeverityNote is a figure that cannot exist for this config.
	SeverityNote
)

// String names the severity as the report prints it.
func (s Severity) String() string {
	if s == SeverityNote {
		return "note"
	}
	return "PROBLEM"
}

// CheckReport is the outcome of CheckOnline.
type CheckReport struct {
	Lines []CheckLine
	// Prometheus' scrape interval as the source will use it, how it was
	// found, and the rate window it gives; ScrapeProblem says why it could
	// not be detected. All empty without a Prometheus source or when no
	// query uses $__rate_interval.
	ScrapeInterval, RateWindow time.Duration
	ScrapeHow, ScrapeProblem   string
	// Infos are notes about a whole source.
	Infos []string
}

// Problems counts the errors: the lines with a problem of SeverityError,
// and a scrape interval not detected.
func (r CheckReport) Problems() int {
	n := r.count(SeverityError)
	if r.ScrapeProblem != "" {
		n++
	}
	return n
}

// Notes counts the lines whose problem is a note.
func (r CheckReport) Notes() int { return r.count(SeverityNote) }

func (r CheckReport) count(s Severity) int {
	n := 0
	for _, l := range r.Lines {
		if l.Problem != "" && l.Severity == s {
			n++
		}
	}
	return n
}

// CheckOnline runs every query and scrape of a config twice, one interval
// apart (rates read by the scrape and host sources need two readings), and
// reports each signal's value or what is wrong with it: an error, an empty
// result, a metric the server does not know. It also reports the scrape
// interval the Prometheus source detects and, when the config names a
// fleet, the servers its label finds: a label no series of the fleet
// signals carries is a problem on fleet.label naming the labels they carry
// instead. signals.error_codes reads as its codes' sum, the codes in a
// note. ctx bounds the whole check.
func CheckOnline(ctx context.Context, cfg *config.Config, log *slog.Logger) (CheckReport, error) {
	sources, err := FromConfig(cfg, log)
	if err != nil {
		return CheckReport{}, err
	}
	var rep CheckReport
	cannot := make(map[string]map[string]string) // by source, the signals no value can exist for
	for i, src := range sources {
		if l, ok := src.(*loggedSource); ok {
			sources[i] = l.Source
		}
		if u, ok := sources[i].(source.Unanswerable); ok {
			cannot[sources[i].Name()] = u.Unanswerable()
		}
		if p, ok := sources[i].(*prom.Source); ok && p.UsesRateInterval() {
			d, how, err := p.DetectScrapeInterval(ctx)
			if err != nil {
				rep.ScrapeProblem = fmt.Sprintf("scrape interval not detected (%v): the source assumes %s; set sources.prometheus.scrape_interval", err, prom.DefaultScrapeInterval)
			} else {
				rep.ScrapeInterval, rep.ScrapeHow = d, how
				rep.RateWindow = p.RateWindow(d)
			}
		}
	}
	poller := NewPoller(sources, WithTimeout(config.PollDeadline(cfg.Interval)))
	poller.Poll(ctx)
	select {
	case <-ctx.Done():
		return rep, ctx.Err()
	case <-time.After(cfg.Interval):
	}
	snap := poller.Poll(ctx)
	for _, name := range snap.SourceNames() {
		h := snap.Sources[name]
		rep.Infos = append(rep.Infos, prefixed(name, sourceWide(h.Infos, h.Signals))...)
		var promSrc *prom.Source
		for _, s := range sources {
			if p, ok := s.(*prom.Source); ok && s.Name() == name {
				promSrc = p
			}
		}
		for _, sig := range h.Signals {
			line := CheckLine{Source: name, Signal: sig, Value: snap.Get(sig), Notes: aboutSignal(sig, h.Warnings, h.Infos)}
			switch msg, failed := h.Errors[sig]; {
			case failed:
				line.Value, line.Problem = snapshot.Value{}, msg
				if promSrc != nil && strings.HasPrefix(msg, "empty result") {
					if unknown := promSrc.UnknownMetrics(ctx, sig); len(unknown) > 0 {
						line.Problem += "; unknown metric " + strings.Join(unknown, ", ")
					}
				}
			case sig == snapshot.SignalErrorCodes:
				// A breakdown, not a figure: no code yet is no failure.
				line.Value, line.Notes = errorCodes(snap.ErrorCodes), append(line.Notes, codesNote(snap.ErrorCodes))
			case slices.Contains(h.Partial, sig):
				line.Problem = "partial: a target did not answer"
			case !line.Value.OK() && cannot[name][sig] != "":
				line.Value, line.Problem, line.Severity = snapshot.Value{}, cannot[name][sig], SeverityNote
			case h.Carried[sig] != (time.Time{}) || !line.Value.OK():
				line.Value, line.Problem = snapshot.Value{}, "no value"
			}
			rep.Lines = append(rep.Lines, line)
		}
		for _, key := range slices.Sorted(maps.Keys(h.Errors)) {
			if !slices.Contains(h.Signals, key) {
				rep.Lines = append(rep.Lines, CheckLine{Source: name, Signal: key, Problem: h.Errors[key]})
			}
		}
		if promSrc != nil && cfg.Fleet != nil {
			rep.Lines = append(rep.Lines, checkFleet(ctx, promSrc))
		}
	}
	return rep, nil
}

// maxServersNamed is how many servers the fleet's line names.
const maxServersNamed = 5

// checkFleet asks the fleet signals by the fleet label: a label no series
// carries is a problem naming the labels they carry instead.
func checkFleet(ctx context.Context, p *prom.Source) CheckLine {
	line := CheckLine{Source: p.Name(), Signal: "fleet.label"}
	fc, err := p.CheckFleet(ctx)
	switch {
	case err != nil:
		line.Problem = err.Error()
	case len(fc.Signals) == 0:
		line.Problem = fmt.Sprintf("no signal a server carries (%s) is a query: the fleet has nothing to show",
			strings.Join(snapshot.FleetSignals, ", "))
	case len(fc.Servers) == 0 && len(fc.Labels) == 0:
		line.Problem = fmt.Sprintf("no series of %s carries label %q: they answered no series",
			strings.Join(fc.Signals, ", "), fc.Label)
	case len(fc.Servers) == 0:
		line.Problem = fmt.Sprintf("no series of %s carries label %q; their series carry %s",
			strings.Join(fc.Signals, ", "), fc.Label, strings.Join(fc.Labels, ", "))
	default:
		line.Value = snapshot.Some(float64(len(fc.Servers)))
		named := fc.Servers[:min(len(fc.Servers), maxServersNamed)]
		more := ""
		if len(fc.Servers) > maxServersNamed {
			more = fmt.Sprintf(" and %d more", len(fc.Servers)-maxServersNamed)
		}
		line.Notes = append(line.Notes, fmt.Sprintf("servers by %s: %s%s", fc.Label, strings.Join(named, ", "), more))
	}
	return line
}

// errorCodes is the failed requests per second of every code together.
func errorCodes(codes map[string]snapshot.Value) snapshot.Value {
	sum := 0.0
	for _, v := range codes {
		sum += v.Or(0)
	}
	return snapshot.Some(sum)
}

// codesNote lists the codes and their rates, most first.
func codesNote(codes map[string]snapshot.Value) string {
	if len(codes) == 0 {
		return "no failed requests by code yet"
	}
	names := slices.SortedFunc(maps.Keys(codes), func(a, b string) int {
		return cmp.Or(cmp.Compare(codes[b].Or(0), codes[a].Or(0)), strings.Compare(a, b))
	})
	parts := make([]string, len(names))
	for i, c := range names {
		parts[i] = c + ": " + capacity.FormatNumber(codes[c].Or(0)) + "/s"
	}
	return "by code: " + strings.Join(parts, ", ")
}

// aboutSignal picks the notes prefixed with a signal's address.
func aboutSignal(sig string, lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, n := range l {
			if rest, ok := strings.CutPrefix(n, sig+": "); ok {
				out = append(out, rest)
			}
		}
	}
	return out
}

// sourceWide picks the notes not about one signal.
func sourceWide(notes, signals []string) []string {
	var out []string
	for _, n := range notes {
		if !slices.ContainsFunc(signals, func(s string) bool { return strings.HasPrefix(n, s+": ") }) {
			out = append(out, n)
		}
	}
	return out
}

func prefixed(prefix string, notes []string) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = prefix + ": " + n
	}
	return out
}

// WriteText writes the report as `config check --online` prints it: the
// scrape interval, a line a signal with its answer or its problem (a note
// for one that cannot have a value) and notes, then the infos.
func (rep CheckReport) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch {
	case rep.ScrapeProblem != "":
		fmt.Fprintf(tw, "scrape interval\tPROBLEM: %s\n", rep.ScrapeProblem)
	case rep.ScrapeInterval > 0:
		fmt.Fprintf(tw, "scrape interval\t%s (%s); $__rate_interval = %s\n", rep.ScrapeInterval, rep.ScrapeHow, rep.RateWindow)
	}
	for _, l := range rep.Lines {
		status := "ok"
		if v, ok := l.Value.Get(); ok {
			status = "ok " + capacity.FormatNumber(v)
		}
		if l.Problem != "" {
			status = l.Severity.String() + ": " + l.Problem
		}
		fmt.Fprintf(tw, "%s %s\t%s\n", l.Source, l.Signal, status)
		for _, n := range l.Notes {
			fmt.Fprintf(tw, "\tnote: %s\n", n)
		}
	}
	for _, i := range rep.Infos {
		fmt.Fprintf(tw, "info\t%s\n", i)
	}
	return tw.Flush()
}
