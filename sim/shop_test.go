package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/internal/testtool"
)

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"an unknown scenario lists the valid ones", Options{Scenario: "third-launch", Speed: 1},
			[]string{`scenario "third-launch"`, "unknown scenario", "first-launch, second-launch"}},
		{"an empty scenario is unknown", Options{Speed: 1}, []string{`scenario ""`, "valid: first-launch"}},
		{"a zero speed is refused", Options{Scenario: "first-launch"}, []string{"speed 0", "above 0"}},
		{"a negative speed is refused", Options{Scenario: "first-launch", Speed: -2}, []string{"speed -2"}},
		{"a NaN speed is refused", Options{Scenario: "first-launch", Speed: math.NaN()}, []string{"speed NaN"}},
		{"an infinite speed is refused", Options{Scenario: "first-launch", Speed: math.Inf(1)}, []string{"speed +Inf"}},
		{"a speed above the maximum is refused", Options{Scenario: "first-launch", Speed: MaxSpeed + 1},
			[]string{"speed 10001", "at most 10000"}},
		{"a negative fleet is refused", Options{Scenario: "second-launch", Speed: 1, Servers: -1},
			[]string{"servers -1", "from 1 to 500"}},
		{"a fleet above the maximum is refused", Options{Scenario: "second-launch", Speed: 1, Servers: MaxServers + 1},
			[]string{"servers 501", "from 1 to 500"}},
		{"a negative start-in is refused", Options{Scenario: "second-launch", Speed: 1, StartIn: -time.Second},
			[]string{"start-in -1s", "must not be negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.opts)
			if err == nil {
				t.Fatalf("New(%+v) = %v, want an error", tt.opts, s)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	_, err := New(Options{Scenario: "nope", Speed: 1})
	if !errors.Is(err, ErrUnknownScenario) {
		t.Errorf("error %v does not wrap ErrUnknownScenario", err)
	}
}

func TestClock(t *testing.T) {
	clock := testtool.NewClock(epoch)
	s, err := New(Options{Scenario: "second-launch", Speed: 10, StartIn: 30 * time.Second, Wall: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Now().Equal(epoch) || !s.LaunchAt().Equal(epoch.Add(30*time.Second)) {
		t.Fatalf("at start Now %v, LaunchAt %v", s.Now(), s.LaunchAt())
	}
	clock.Advance(3 * time.Second)
	if want := epoch.Add(30 * time.Second); !s.Now().Equal(want) {
		t.Errorf("3 s of wall at speed 10: Now %v, want %v", s.Now(), want)
	}
	if s.Speed() != 10 || s.Scenario() != "second-launch" {
		t.Errorf("Speed %v, Scenario %q", s.Speed(), s.Scenario())
	}
	smp := scrape(t, s, s.Handler())
	if got, want := smp.v("shop_sim_time_seconds{}"), float64(epoch.Unix()+30); got != want {
		t.Errorf("shop_sim_time_seconds %v, want %v", got, want)
	}
	if got, want := smp.v("shop_launch_start_timestamp_seconds{}"), float64(epoch.Unix()+30); got != want {
		t.Errorf("shop_launch_start_timestamp_seconds %v, want %v", got, want)
	}
	if got := smp.v("shop_sim_speed{}"); got != 10 {
		t.Errorf("shop_sim_speed %v, want 10", got)
	}
}

func TestListenReportsPortInUse(t *testing.T) {
	first, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Close() }()
	addr := first.Addr().String()
	_, err = Listen(addr)
	if err == nil {
		t.Fatalf("second Listen on %s succeeded", addr)
	}
	if want := "listen " + addr + ": address already in use"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("error %v does not wrap EADDRINUSE", err)
	}
}

func TestServeStopsWithContext(t *testing.T) {
	s, err := New(Options{Scenario: "second-launch", Speed: 60, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()

	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	for _, want := range []string{"shop_page_views_total", "go_goroutines", "process_"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v after cancel, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}

func TestScenarios(t *testing.T) {
	if got := strings.Join(Scenarios(), ","); got != "first-launch,second-launch" {
		t.Errorf("Scenarios() = %s", got)
	}
}

// BenchmarkScrape measures one /metrics scrape while the clock moves one
// simulated second (ten model steps) per scrape, like a 1 Hz poll.
func BenchmarkScrape(b *testing.B) {
	for _, servers := range []int{DefaultServers, MaxServers} {
		b.Run(fmt.Sprintf("%d servers", servers), func(b *testing.B) {
			s, clock := newFleetShop(b, "first-launch", 1, servers)
			advanceSim(clock, 3*time.Minute) // into the crash, where every series moves
			h := s.Handler()
			b.ReportAllocs()
			size := 0
			for b.Loop() {
				advanceSim(clock, time.Second)
				rec := get(b, h, "/metrics")
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/scrape")
		})
	}
}
