// Package simtest serves the demo shop on a free loopback port for tests in
// any package: the integration tests, the CLI's tests.
package simtest

import (
	"context"
	"testing"

	"github.com/launchwatch/launchwatch/sim"
)

// Serve starts a shop with opts on 127.0.0.1 and a free port, stops it when
// the test ends, and returns it with its base URL ("http://127.0.0.1:PORT").
func Serve(t testing.TB, opts sim.Options) (*sim.Shop, string) {
	t.Helper()
	shop, err := sim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := sim.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- shop.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("sim: %v", err)
		}
	})
	return shop, "http://" + ln.Addr().String()
}
