package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/activeterm"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/snapshot"
	"github.com/launchwatch/launchwatch/tui"
)

type serveFlags struct {
	record         recordFlags
	bell           bellFlags
	configFile     string
	listen         string
	authorizedKeys string
	hostKey        string
	logFile        string
	idleTimeout    time.Duration
	maxSessions    int
	warm           time.Duration
	wall           bool
}

// Serve's defaults.
const (
	defaultServeListen  = "127.0.0.1:2222"
	defaultIdleTimeout  = 10 * time.Minute
	defaultMaxSessions  = 20
	serveShutdownGrace  = 2 * time.Second
	minServeIdleTimeout = 3 * time.Second
)

func newServeCmd() *cobra.Command {
	f := serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve --config FILE [--listen ADDR] [--authorized-keys FILE]",
		Short: "Serve the dashboard over SSH: many screens, one poller",
		Long: `Serve the live dashboard over SSH: every engineer runs

  ssh -p 2222 HOST

and gets the dashboard in their own terminal, with its own size, colours,
theme, layout and focus. The sources are polled once however many screens
are open: every session is a read-only subscriber of one pipeline. A
session shows the dashboard only; a command given to ssh is refused.

Only the public keys in --authorized-keys (an OpenSSH authorized_keys file,
read again when it changes) get in. Without it, serve listens on loopback
only and lets in anyone who can reach it there; listening on any other
address without --authorized-keys is refused.

The host key is kept in $XDG_STATE_HOME/launchwatch/ (else
~/.local/state/launchwatch/) as ssh_host_ed25519_key, mode 0600, made on
the first run; --host-key FILE puts it elsewhere.

A session whose client stops answering (a laptop shut, a network gone) is
closed after --idle-timeout: the server asks every client for a keepalive
every third of it, so a wall screen nobody touches stays. At most
--max-sessions sessions are open at once; one more is told so and closed.

serve records every snapshot like watch (see watch --help) and sends the
config's alerts; a new critical problem rings each session's terminal bell
unless --no-bell. SIGINT, SIGTERM or SIGHUP close the sessions and the
recording; the exit status is watch's (1 for a failed recording or an
alert lost or not delivered). With --wall every session starts on the wall screen (see watch
--help); w switches a session between it and the dashboard.`,
		Example: `  launchwatch serve --config launchwatch.yaml
  launchwatch serve --config launchwatch.yaml --listen 0.0.0.0:2222 --authorized-keys ~/.ssh/authorized_keys`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.configFile == "" {
				return errors.New("serve needs --config FILE")
			}
			if err := checkListen(f.listen, f.authorizedKeys); err != nil {
				return err
			}
			if err := checkWarm(f.warm); err != nil {
				return err
			}
			if f.idleTimeout < minServeIdleTimeout {
				return fmt.Errorf("--idle-timeout %s: must be at least %s", f.idleTimeout, minServeIdleTimeout)
			}
			if f.maxSessions < 1 {
				return fmt.Errorf("--max-sessions %d: must be at least 1", f.maxSessions)
			}
			cfg, err := config.Load(f.configFile)
			if err != nil {
				return err
			}
			var keys *keyring
			if f.authorizedKeys != "" {
				if keys, err = loadKeyring(f.authorizedKeys); err != nil {
					return err
				}
			}
			signer, keyPath, err := hostKey(f.hostKey)
			if err != nil {
				return err
			}
			log, closeLog, err := openLog(f.logFile)
			if err != nil {
				return err
			}
			defer closeLog()
			poller, err := newPoller(cfg, log, time.Now)
			if err != nil {
				return err
			}
			rec, err := f.record.open(cfg, recording.OriginLive)
			if err != nil {
				return err
			}
			hist := readHistory(cfg, log)
			d := dashboard{cfg: cfg, producer: poller, log: log, rec: rec, out: cmd.ErrOrStderr(), warm: warmStart(hist, f.warm), history: hist, wall: f.wall,
				alertQueue: alertQueueAt(cfg, f.record.file, log)}
			return serve(cmd.Context(), d, f, sshSetup{signer: signer, hostKeyPath: keyPath, keys: keys})
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.configFile, "config", "c", "", "the launchwatch.yaml to watch")
	fl.StringVar(&f.listen, "listen", defaultServeListen, "address to listen on (beyond loopback only with --authorized-keys)")
	fl.StringVar(&f.authorizedKeys, "authorized-keys", "", "OpenSSH authorized_keys file: only these keys get in")
	fl.StringVar(&f.hostKey, "host-key", "", "the server's host key (default: ssh_host_ed25519_key in the state directory; made if missing)")
	fl.DurationVar(&f.idleTimeout, "idle-timeout", defaultIdleTimeout, "close a session whose client has stopped answering for this long")
	fl.IntVar(&f.maxSessions, "max-sessions", defaultMaxSessions, "most sessions open at once")
	registerWarm(cmd, &f.warm)
	fl.StringVar(&f.logFile, "log-file", "", "write logs here (sessions, alerts, polls)")
	fl.BoolVar(&f.wall, "wall", false, "start every session on the wall screen: the headline figures in block digits (w toggles)")
	f.record.register(cmd)
	f.bell.register(cmd)
	return cmd
}

// checkListen refuses an address beyond loopback without authorized keys:
// anyone who could reach it would see the launch.
func checkListen(listen, authorizedKeys string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %w (want HOST:PORT, such as %s)", listen, err, defaultServeListen)
	}
	if authorizedKeys != "" || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %s reaches beyond this machine: give --authorized-keys FILE (an OpenSSH authorized_keys file) so that only those keys get in, or listen on loopback (%s)",
		listen, defaultServeListen)
}

// sshSetup is what the SSH server is built from.
type sshSetup struct {
	signer      gossh.Signer
	hostKeyPath string
	keys        *keyring // nil: anyone who reaches the loopback address
}

// serve runs one pipeline, the recorder, the alerts and an SSH server
// whose every session is a screen subscribed to the pipeline, until ctx
// ends (a signal); then it closes the sessions, drains the pipeline and
// closes the recording.
func serve(ctx context.Context, d dashboard, f serveFlags, setup sshSetup) error {
	oneProcessor()
	p, plan, err := newPipeline(d.cfg, d.producer, d.log, d.warm)
	if err != nil {
		return errors.Join(err, closeRecording(d.rec, d.out))
	}
	al, err := startAlerts(p, d.cfg, d.log, d.alertQueue)
	if err != nil {
		return errors.Join(err, closeRecording(d.rec, d.out))
	}
	if d.rec != nil {
		p.AddSink(d.rec)
	}
	base := screenOptions(d, plan)
	base.Alerts = alertFailures(al)
	screens := &screens{p: p, base: base, bell: f.bell, log: d.log, max: int64(f.maxSessions), idle: f.idleTimeout}
	srv, err := newSSHServer(screens, setup, f.idleTimeout)
	if err != nil {
		return errors.Join(err, closeRecording(d.rec, d.out))
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return errors.Join(fmt.Errorf("listen: %w", err), closeRecording(d.rec, d.out))
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintf(d.out, "launchwatch serve: %s on ssh://%s (connect with: ssh -p %s HOST); host key %s\n",
		snapshot.CleanText(launchName(d.cfg), 60), ln.Addr(), port, setup.hostKeyPath)
	if d.rec != nil {
		fmt.Fprintf(d.out, "launchwatch serve: recording to %s\n", d.rec.Path())
	}
	d.log.Info("serve start", "listen", ln.Addr().String(), "authorized_keys", setup.keys != nil, "max_sessions", f.maxSessions, "idle_timeout", f.idleTimeout)

	pctx, stopPipeline := context.WithCancel(context.Background())
	defer stopPipeline()
	ran := make(chan error, 1)
	go func() { ran <- p.Run(pctx) }()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	// Sessions end first: they are subscribers of the pipeline.
	sctx, cancel := context.WithTimeout(context.Background(), serveShutdownGrace)
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	cancel()
	stopPipeline()
	pipeErr := <-ran
	if errors.Is(serveErr, ssh.ErrServerClosed) {
		serveErr = nil
	}
	recErr := closeRecording(d.rec, d.out)
	alertErr := reportAlerts(d.out, al)
	d.log.Info("serve stop", "sessions_served", screens.served.Load())
	if last, _ := p.Last(); last.RecordErr != "" {
		recErr = errors.Join(recErr, &exitError{code: 1, msg: "writing the recording failed: " + last.RecordErr})
	}
	if serveErr != nil {
		serveErr = fmt.Errorf("ssh server: %w", serveErr)
	}
	return errors.Join(serveErr, pipeErr, recErr, alertErr)
}

// newSSHServer builds the server: public-key authentication against the
// keyring when there is one, and every session through the gate to a
// screen.
func newSSHServer(s *screens, setup sshSetup, idle time.Duration) (*ssh.Server, error) {
	opts := []ssh.Option{
		func(srv *ssh.Server) error { srv.AddHostKey(setup.signer); return nil },
		wish.WithVersion("launchwatch"),
		// A connection silent both ways this long is closed; sessions
		// are kept talking by the keepalives (screens.keepAlive).
		wish.WithIdleTimeout(idle),
		wish.WithMiddleware(
			// Run last to first: the gate, then the terminal check, then
			// the screen.
			bubbletea.MiddlewareWithProgramHandler(s.program, termenv.Ascii),
			activeterm.Middleware(),
			s.gate,
		),
	}
	if setup.keys != nil {
		opts = append(opts, wish.WithPublicKeyAuth(func(ctx ssh.Context, key ssh.PublicKey) bool {
			ok := setup.keys.allowed(key, s.log)
			if !ok {
				s.log.Warn("key refused", "user", snapshot.CleanText(ctx.User(), 40), "remote", ctx.RemoteAddr().String(), "key", gossh.FingerprintSHA256(key))
			}
			return ok
		}))
	}
	return wish.NewServer(opts...)
}

// screens makes a screen for every session, all fed by one pipeline.
type screens struct {
	p    *pipeline.Pipeline
	base tui.Options
	bell bellFlags
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
	opts.Bell = s.bell.bell(sess) // rings this session's terminal
	go func() { <-sess.Context().Done(); sub.Close() }()
	// The server handles signals; one session's program must not.
	return tea.NewProgram(tui.New(opts), append(bubbletea.MakeOptions(sess),
		tea.WithAltScreen(), tea.WithFPS(screenFPS), tea.WithoutSignalHandler())...)
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
