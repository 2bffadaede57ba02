package collectors

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/collectors/source"
)

func TestASourceWhoseEverySignalFailedHasNotAnswered(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	sampled := clock.t.Add(-2 * time.Second)
	round := 0
	src := &fakeSource{name: "prometheus", signals: []string{"pv", "stock"}, collect: func(context.Context, time.Time) (source.Result, error) {
		round++
		if round == 1 {
			return source.Result{Values: values("pv", 10.0, "stock", 900.0), NewestSample: sampled}, nil
		}
		res := source.Result{}
		res.AddError("pv", errors.New("server answered 503 Service Unavailable"))
		res.AddError("stock", errors.New("server answered 503 Service Unavailable"))
		return res, errors.New("query pv: server answered 503\nquery stock: server answered 503")
	}}
	p := NewPoller([]source.Source{src}, WithClock(clock.now))
	first := p.Poll(context.Background())
	clock.t = clock.t.Add(time.Second)
	s := p.Poll(context.Background())
	h := s.Sources["prometheus"]
	if h.OK || !h.LastSuccess.Equal(first.Time) {
		t.Errorf("last success = %v, want the first poll's %v: a poll in which everything failed answered nothing", h.LastSuccess, first.Time)
	}
	if h.LastSuccess.Equal(s.Time) {
		t.Error("every signal failed, yet the source reads as answering now")
	}
	if !h.NewestSample.Equal(sampled) {
		t.Errorf("newest sample = %v, want %v kept from the last answer", h.NewestSample, sampled)
	}
	if len(h.Carried) != 2 {
		t.Errorf("carried = %v, want both signals", h.Carried)
	}
	if h.Error != "query pv: server answered 503; query stock: server answered 503" {
		t.Errorf("error = %q, want the failures kept apart", h.Error)
	}
	if len(h.Errors) != 2 || h.Errors["stock"] != "server answered 503 Service Unavailable" {
		t.Errorf("errors = %q, want one entry per signal", h.Errors)
	}
}

func TestANewestSampleDefaultsToThePollThatAnswered(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	src := &fakeSource{name: "scrape", signals: []string{"pv"}, collect: func(context.Context, time.Time) (source.Result, error) {
		return source.Result{Values: values("pv", 1.0)}, nil
	}}
	s := NewPoller([]source.Source{src}, WithClock(clock.now)).Poll(context.Background())
	if h := s.Sources["scrape"]; !h.NewestSample.Equal(s.Time) {
		t.Errorf("newest sample = %v, want the poll's time %v", h.NewestSample, s.Time)
	}
}

func TestASourceThatNeverAnsweredHasNoSampleTime(t *testing.T) {
	src := &fakeSource{name: "prometheus", signals: []string{"pv"}, collect: func(context.Context, time.Time) (source.Result, error) {
		return source.Result{}, errors.New("dial tcp: connection refused")
	}}
	s := NewPoller([]source.Source{src}).Poll(context.Background())
	h := s.Sources["prometheus"]
	if !h.LastSuccess.IsZero() || !h.NewestSample.IsZero() {
		t.Errorf("health = %+v, want no success and no sample time: never answered", h)
	}
	if h.Errors[source.ErrorKey] != "dial tcp: connection refused" {
		t.Errorf("errors = %q, want the source-wide error under %q", h.Errors, source.ErrorKey)
	}
}

func TestEachErrorIsKeptWholeNotCutAt200Characters(t *testing.T) {
	long := "execution: " + strings.Repeat("the query exceeded the limit on chunks fetched; ", 10) + "END"
	src := &fakeSource{name: "prometheus", signals: []string{"pv", "stock"}, collect: func(context.Context, time.Time) (source.Result, error) {
		res := source.Result{Values: values("stock", 1.0), Infos: []string{"pv: PromQL info: metric might not be a counter"},
			Warnings: []string{"pv: No StoreAPIs matched for this query"}}
		res.AddError("pv", errors.New(long+"\x1b[31m"))
		return res, errors.New("query pv: " + long)
	}}
	s := NewPoller([]source.Source{src}).Poll(context.Background())
	h := s.Sources["prometheus"]
	if h.Errors["pv"] != long {
		t.Errorf("pv's error = %q (%d chars), want the whole %d-character message, cleaned", h.Errors["pv"], len(h.Errors["pv"]), len(long))
	}
	if n := len([]rune(h.Error)); n > source.MaxMessage {
		t.Errorf("the summary is %d characters, want at most %d", n, source.MaxMessage)
	}
	if len(h.Infos) != 1 || len(h.Warnings) != 1 {
		t.Errorf("infos %q, warnings %q: want each carried", h.Infos, h.Warnings)
	}
}
