package serve

import (
	"context"
	"log/slog"
	"net"
	"testing"
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
