package serve

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// sshPair connects a real SSH client to a real SSH server over loopback
// and returns the server's side of the connection and the client's
// incoming global requests (the keepalives), unread.
func sshPair(t *testing.T) (gossh.Conn, <-chan *gossh.Request) {
	t.Helper()
	hostKey := signer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		conn gossh.Conn
		err  error
	}
	served := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- result{err: err}
			return
		}
		cfg := &gossh.ServerConfig{NoClientAuth: true}
		cfg.AddHostKey(hostKey)
		sc, chans, reqs, err := gossh.NewServerConn(c, cfg)
		if err == nil {
			go gossh.DiscardRequests(reqs)
			go func() {
				for ch := range chans {
					_ = ch.Reject(gossh.Prohibited, "no channels")
				}
			}()
		}
		served <- result{sc, err}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cc, chans, reqs, err := gossh.NewClientConn(c, ln.Addr().String(), &gossh.ClientConfig{User: "wall", HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for ch := range chans {
			_ = ch.Reject(gossh.Prohibited, "no channels")
		}
	}()
	t.Cleanup(func() { cc.Close() })
	r := <-served
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { r.conn.Close() })
	return r.conn, reqs
}

func TestAClientThatStopsAnsweringIsClosedAndOneThatAnswersStays(t *testing.T) {
	const idle = 300 * time.Millisecond
	s := &screens{idle: idle, log: slog.New(slog.DiscardHandler)}
	tests := []struct {
		name    string
		answers bool
	}{
		{"a wall screen nobody touches, its client alive, stays", true},
		{"a client that vanished is closed after the idle timeout", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, clientReqs := sshPair(t)
			if tt.answers {
				go gossh.DiscardRequests(clientReqs) // answers each keepalive
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan struct{})
			go func() { s.keepAlive(ctx, server, "wall", "test"); close(done) }()
			closed := make(chan struct{})
			go func() { _ = server.Wait(); close(closed) }()
			if tt.answers {
				select {
				case <-closed:
					t.Fatal("a client answering its keepalives was closed")
				case <-time.After(6 * idle):
				}
				cancel()
				<-done
				return
			}
			select {
			case <-closed:
			case <-time.After(10 * time.Second):
				t.Fatal("a client that never answers was not closed")
			}
			<-done
		})
	}
}

// fakeClient is a client's side of the keepalives: it answers the first
// answers of them (all when negative), each after delay, then vanishes:
// asked again, it answers nothing until the connection is closed.
type fakeClient struct {
	answers int
	delay   time.Duration

	mu         sync.Mutex
	asked      int
	lastAnswer time.Time
	closedAt   time.Time
	closed     chan struct{}
}

func newFakeClient(answers int, delay time.Duration) *fakeClient {
	return &fakeClient{answers: answers, delay: delay, closed: make(chan struct{})}
}

func (c *fakeClient) SendRequest(string, bool, []byte) (bool, []byte, error) {
	c.mu.Lock()
	c.asked++
	answers := c.answers < 0 || c.asked <= c.answers
	c.mu.Unlock()
	if !answers {
		<-c.closed
		return false, nil, io.EOF
	}
	select {
	case <-time.After(c.delay):
	case <-c.closed:
		return false, nil, io.EOF
	}
	c.mu.Lock()
	c.lastAnswer = time.Now()
	c.mu.Unlock()
	return false, nil, nil // OpenSSH answers a keepalive with a failure: an answer
}

func (c *fakeClient) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closedAt = time.Now()
	close(c.closed)
	return nil
}

// TestTheIdleTimeoutIsTheTimeout runs the keepalives at the default 10m
// on a fake clock (testing/synctest): the figures are exact.
func TestTheIdleTimeoutIsTheTimeout(t *testing.T) {
	const idle = DefaultIdleTimeout
	tests := []struct {
		name    string
		answers int
		delay   time.Duration
		// stays: still open after a day; else closed this long after
		// its last answer (after the session opened, without one).
		stays     bool
		closedFor time.Duration
	}{
		{name: "a wall screen nobody touches, its client answering, stays", answers: -1, stays: true},
		{name: "a client answering each keepalive after 6m (under two thirds of 10m) stays", answers: -1, delay: 6 * time.Minute, stays: true},
		{name: "a client that vanishes after three answers is closed 10m after the last", answers: 3, closedFor: idle},
		{name: "a client that never answers is closed 10m after the session opened", answers: 0, closedFor: idle},
		{name: "a client answering each keepalive after 9m is closed 10m after its last answer", answers: -1, delay: 9 * time.Minute, closedFor: idle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := &screens{idle: idle, log: slog.New(slog.DiscardHandler)}
				c := newFakeClient(tt.answers, tt.delay)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				opened := time.Now()
				done := make(chan struct{})
				go func() { s.keepAlive(ctx, c, "wall", "test"); close(done) }()
				select {
				case <-c.closed:
				case <-time.After(24 * time.Hour):
				}
				c.mu.Lock()
				closedAt, last := c.closedAt, c.lastAnswer
				c.mu.Unlock()
				if tt.stays {
					if !closedAt.IsZero() {
						t.Fatalf("closed after %s while answering", closedAt.Sub(opened))
					}
					cancel()
					<-done
					_ = c.Close() // ends a keepalive still waiting for its answer
					return
				}
				<-done
				if closedAt.IsZero() {
					t.Fatal("a client that stopped answering was not closed within a day")
				}
				if last.IsZero() {
					last = opened
				}
				if got := closedAt.Sub(last); got != tt.closedFor {
					t.Errorf("closed %s after its last answer, want %s", got, tt.closedFor)
				}
			})
		})
	}
}
