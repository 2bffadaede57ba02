package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/activeterm"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
	"github.com/launchwatch/launchwatch/tui"
)

// Server's defaults and bounds.
const (
	// DefaultIdleTimeout closes a session whose client has stopped
	// answering for this long.
	DefaultIdleTimeout = 10 * time.Minute
	// MinIdleTimeout is the shortest idle timeout: keepalives go out
	// every third of it.
	MinIdleTimeout = 3 * time.Second
	// DefaultMaxSessions is how many sessions may be open at once.
	DefaultMaxSessions = 20
	// ShutdownGrace is how long the clients get, once told the server
	// stops, to take their terminal back and hang up before their
	// connections are closed.
	ShutdownGrace = 2 * time.Second
	// DefaultKeysRecheck is how often authorized_keys is looked at while
	// serving: a key taken out of it ends its sessions within this.
	DefaultKeysRecheck = 15 * time.Second
)

// Options configure a Server.
type Options struct {
	// Screen is what every session's screen shares: the plan, the
	// thresholds, the launch, the recording, the alerts. Each session adds
	// its own subscription, clock, renderer and bell.
	Screen tui.Options
	// HostKey is the server's host key (see HostKey); required.
	HostKey gossh.Signer
	// Keys lets in only its public keys; nil lets in anyone who reaches
	// the listener, so give one beyond loopback.
	Keys *Keyring
	// IdleTimeout closes a session whose client stops answering, this
	// long after its last answer (DefaultIdleTimeout if 0; at least
	// MinIdleTimeout).
	IdleTimeout time.Duration
	// KeysRecheck is how often Keys is read again while serving, when the
	// file changed (DefaultKeysRecheck if 0).
	KeysRecheck time.Duration
	// MaxSessions caps the sessions open at once (DefaultMaxSessions if 0).
	MaxSessions int
	// Bell rings a session's terminal bell when a critical problem opens.
	Bell bool
	// Log takes the sessions' comings and goings and refused keys; nil
	// drops them.
	Log *slog.Logger
}

// Server serves a screen over SSH to every session, all fed by one
// pipeline.
type Server struct {
	p       *pipeline.Pipeline
	ssh     *ssh.Server
	screens *screens
	recheck time.Duration
}

// Stopped is the cause to cancel Serve's context with (WithCancelCause)
// to tell every client why the server stops: a signal's name.
type Stopped struct {
	// Why is the signal's name, such as SIGTERM; "" says no reason.
	Why string
}

func (e *Stopped) Error() string { return "launchwatch serve stopped (" + e.Why + ")" }

// stopLine is what every client is told when the server stops, once its
// terminal is back.
func stopLine(cause error) string {
	var st *Stopped
	if errors.As(cause, &st) && st.Why != "" {
		return "launchwatch serve stopped (" + st.Why + "): the dashboard is gone; reconnect when it is back"
	}
	return "launchwatch serve stopped: the dashboard is gone; reconnect when it is back"
}

// New builds the server over p: public-key authentication against the
// keyring when there is one, and every session through the gate to a
// screen.
func New(p *pipeline.Pipeline, opts Options) (*Server, error) {
	if opts.HostKey == nil {
		return nil, errors.New("serve: no host key")
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.IdleTimeout < MinIdleTimeout {
		return nil, fmt.Errorf("serve: idle timeout %s is under %s", opts.IdleTimeout, MinIdleTimeout)
	}
	if opts.KeysRecheck <= 0 {
		opts.KeysRecheck = DefaultKeysRecheck
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = DefaultMaxSessions
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &screens{p: p, base: opts.Screen, bell: opts.Bell, log: opts.Log, max: int64(opts.MaxSessions), idle: opts.IdleTimeout, keys: opts.Keys}
	sshOpts := []ssh.Option{
		func(srv *ssh.Server) error { srv.AddHostKey(opts.HostKey); return nil },
		wish.WithVersion("launchwatch"),
		// A connection silent both ways this long is closed (one that
		// never opens a session, say); a session's client is held to the
		// timeout by the keepalives (screens.keepAlive).
		wish.WithIdleTimeout(opts.IdleTimeout),
		wish.WithMiddleware(
			// Run last to first: the gate, then the terminal check, then
			// the screen.
			bubbletea.MiddlewareWithProgramHandler(s.program, termenv.Ascii),
			activeterm.Middleware(),
			s.gate,
		),
	}
	if keys := opts.Keys; keys != nil {
		sshOpts = append(sshOpts, wish.WithPublicKeyAuth(func(ctx ssh.Context, key ssh.PublicKey) bool {
			ok := keys.allowed(key, s.log)
			if !ok {
				s.log.Warn("key refused", "user", snapshot.CleanText(ctx.User(), 40), "remote", ctx.RemoteAddr().String(), "key", gossh.FingerprintSHA256(key))
			}
			return ok
		}))
	}
	srv, err := wish.NewServer(sshOpts...)
	if err != nil {
		return nil, err
	}
	return &Server{p: p, ssh: srv, screens: s, recheck: opts.KeysRecheck}, nil
}

// Serve runs the pipeline and serves sessions on ln until ctx ends (a
// signal: cancel it with a *Stopped cause to name it) or the server
// fails. Then every session's screen quits, so Bubble Tea gives the
// client's terminal back through the session (alternate screen off,
// cursor on), the client is told the server stopped, and the session ends
// with exit status 1; the clients get ShutdownGrace to hang up before
// their connections are closed. Last the pipeline stops, which drains its
// sinks.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	oneProcessor()
	log := s.screens.log
	keys := s.screens.keys != nil
	log.Info("serve start", "listen", ln.Addr().String(), "authorized_keys", keys, "max_sessions", s.screens.max, "idle_timeout", s.screens.idle)
	pctx, stopPipeline := context.WithCancel(context.Background())
	defer stopPipeline()
	ran := make(chan error, 1)
	go func() { ran <- s.p.Run(pctx) }()
	wctx, stopWatch := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		if keys {
			s.screens.watchKeys(wctx, s.recheck)
		}
	}()
	served := make(chan error, 1)
	go func() { served <- s.ssh.Serve(ln) }()

	var serveErr error
	line := stopLine(nil)
	select {
	case <-ctx.Done():
		line = stopLine(context.Cause(ctx))
	case serveErr = <-served:
	}
	stopWatch()
	<-watched
	// Sessions end first: they are subscribers of the pipeline. Each
	// screen quits and its client is told; Shutdown then closes the
	// listener and waits for the clients to hang up.
	s.screens.stop(line)
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	if err := s.ssh.Shutdown(sctx); err != nil {
		_ = s.ssh.Close()
	}
	cancel()
	stopPipeline()
	pipeErr := <-ran
	log.Info("serve stop", "why", line, "sessions_served", s.screens.served.Load())
	if errors.Is(serveErr, ssh.ErrServerClosed) {
		serveErr = nil
	}
	if serveErr != nil {
		serveErr = fmt.Errorf("ssh server: %w", serveErr)
	}
	return errors.Join(serveErr, pipeErr)
}
