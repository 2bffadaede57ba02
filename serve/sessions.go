package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
	"github.com/launchwatch/launchwatch/tui"
)

// screens makes a screen for every session, all fed by one pipeline.
type screens struct {
	p    *pipeline.Pipeline
	base tui.Options
	bell bool
	log  *slog.Logger
	max  int64
	idle time.Duration

	open   atomic.Int64
	served atomic.Int64
}

// program builds a session's screen: its own subscription, and a renderer
// for the session's terminal (its colour profile, its background), so
// size, theme, layout and focus are the session's own.
func (s *screens) program(sess ssh.Session) *tea.Program {
	opts := s.base
	sub := s.p.Subscribe()
	opts.Frames, opts.Clock = sub, s.p.Now
	opts.Renderer = bubbletea.MakeRenderer(sess)
	who := snapshot.CleanText(sess.User(), 40) + "@" + remoteHost(sess.RemoteAddr())
	opts.Acknowledge = func(key string) error { return s.p.Acknowledge(key, who) }
	opts.Bell = nil
	if s.bell {
		opts.Bell = func() { _, _ = io.WriteString(sess, "\a") } // rings this session's terminal
	}
	go func() { <-sess.Context().Done(); sub.Close() }()
	// The server handles signals; one session's program must not.
	return tea.NewProgram(tui.New(opts), append(bubbletea.MakeOptions(sess),
		tea.WithAltScreen(), tea.WithFPS(FPS), tea.WithoutSignalHandler())...)
}

// gate refuses commands and sessions past the cap, keeps the client
// answering, and logs each session.
func (s *screens) gate(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		user := snapshot.CleanText(sess.User(), 40)
		remote := sess.RemoteAddr().String()
		if len(sess.Command()) > 0 {
			s.log.Warn("session refused: a command was given", "user", user, "remote", remote)
			wish.Fatalln(sess, "launchwatch serve shows the dashboard only: connect without a command (ssh -p PORT HOST)")
			return
		}
		n := s.open.Add(1)
		defer s.open.Add(-1)
		if n > s.max {
			s.log.Warn("session refused: too many sessions", "user", user, "remote", remote, "max", s.max)
			wish.Fatalln(sess, fmt.Sprintf("launchwatch serve: all %d screens are taken (--max-sessions); try again later", s.max))
			return
		}
		s.served.Add(1)
		start := time.Now()
		attrs := []any{"user", user, "remote", remote, "sessions", n}
		if key := sess.PublicKey(); key != nil {
			attrs = append(attrs, "key", gossh.FingerprintSHA256(key))
		}
		s.log.Info("session start", attrs...)
		ctx, stop := context.WithCancel(sess.Context())
		defer stop()
		if conn, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn); ok {
			go s.keepAlive(ctx, conn, user, remote)
		}
		next(sess)
		s.log.Info("session end", "user", user, "remote", remote, "lasted", time.Since(start).Round(time.Second))
	}
}

// keepAlive asks the client for a keepalive every third of the idle
// timeout and closes the connection when an answer does not come within
// it: a client that vanished frees its session.
func (s *screens) keepAlive(ctx context.Context, conn gossh.Conn, user, remote string) {
	tick := time.NewTicker(s.idle / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		answered := make(chan error, 1)
		go func() {
			_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
			answered <- err
		}()
		select {
		case <-ctx.Done():
			return
		case err := <-answered:
			if err != nil {
				return // the connection is gone
			}
		case <-time.After(s.idle):
			s.log.Info("session closed: the client stopped answering", "user", user, "remote", remote, "idle_timeout", s.idle)
			_ = conn.Close()
			return
		}
	}
}

// remoteHost is the address a session comes from, without its port.
func remoteHost(a net.Addr) string {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
