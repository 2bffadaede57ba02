package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/launch"
	"github.com/launchwatch/launchwatch/recording"
	"github.com/launchwatch/launchwatch/serve"
	"github.com/launchwatch/launchwatch/snapshot"
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
	keysRecheck    time.Duration
	maxSessions    int
	warm           time.Duration
	wall           bool
}

// defaultServeListen is where serve listens unless told otherwise.
const defaultServeListen = "127.0.0.1:2222"

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

Only the public keys in --authorized-keys (an OpenSSH authorized_keys file)
get in. The file is read again when it changes: at each connection, and
every 15 s while serving, so a key taken out of it ends its open sessions
(the client is told why) within 15 s. A file that becomes unreadable or
stops parsing keeps the keys of its last good read, and the log says so.
Without --authorized-keys, serve listens on loopback only and lets in
anyone who can reach it there; listening on any other address without
--authorized-keys is refused.

The host key is kept in $XDG_STATE_HOME/launchwatch/ (else
~/.local/state/launchwatch/) as ssh_host_ed25519_key, mode 0600, made on
the first run; --host-key FILE puts it elsewhere.

A session whose client stops answering (a laptop shut, a network gone) is
closed --idle-timeout after its last answer: the server asks every client
for a keepalive every third of it, so a wall screen nobody touches stays.
At most --max-sessions sessions are open at once; one more is told so and
closed.

serve records every snapshot like watch (see watch --help) and sends the
config's alerts; a new critical problem rings each session's terminal bell
unless --no-bell. a on any screen acknowledges a problem for every screen.
SIGINT, SIGTERM, SIGHUP or SIGQUIT stop serve cleanly: every client gets
its terminal back (alternate screen off, cursor on), a line saying the
server stopped and why, and ssh exits with status 1; then the recording
is closed. serve's exit status is watch's (1 for a failed recording or an
alert lost or not delivered). With --wall every session starts on the wall
screen (see watch --help); w switches a session between it and the
dashboard.`,
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
			if f.idleTimeout < serve.MinIdleTimeout {
				return fmt.Errorf("--idle-timeout %s: must be at least %s", f.idleTimeout, serve.MinIdleTimeout)
			}
			if f.keysRecheck <= 0 {
				return fmt.Errorf("--authorized-keys-recheck %s: must be above 0", f.keysRecheck)
			}
			if f.maxSessions < 1 {
				return fmt.Errorf("--max-sessions %d: must be at least 1", f.maxSessions)
			}
			cfg, err := config.Load(f.configFile)
			if err != nil {
				return err
			}
			var keys *serve.Keyring
			if f.authorizedKeys != "" {
				if keys, err = serve.LoadKeyring(f.authorizedKeys); err != nil {
					return err
				}
			}
			keyPath, err := hostKeyPath(f.hostKey)
			if err != nil {
				return err
			}
			signer, err := serve.HostKey(keyPath)
			if err != nil {
				return err
			}
			w, err := f.record.start(launch.Options{Config: cfg, LogFile: f.logFile, History: true, Warm: f.warm, Origin: recording.OriginLive})
			if err != nil {
				return err
			}
			srv, err := serve.New(w.Pipeline, serve.Options{Screen: screenOptions(w, screen{wall: f.wall}), HostKey: signer, Keys: keys,
				IdleTimeout: f.idleTimeout, KeysRecheck: f.keysRecheck, MaxSessions: f.maxSessions, Bell: !f.bell.noBell, Log: w.Log})
			if err != nil {
				return errors.Join(err, finish(w, cmd.ErrOrStderr()))
			}
			return runServe(cmd.Context(), w, srv, f.listen, keyPath, cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.configFile, "config", "c", "", "the launchwatch.yaml to watch")
	fl.StringVar(&f.listen, "listen", defaultServeListen, "address to listen on (beyond loopback only with --authorized-keys)")
	fl.StringVar(&f.authorizedKeys, "authorized-keys", "", "OpenSSH authorized_keys file: only these keys get in")
	fl.StringVar(&f.hostKey, "host-key", "", "the server's host key (default: ssh_host_ed25519_key in the state directory; made if missing)")
	fl.DurationVar(&f.idleTimeout, "idle-timeout", serve.DefaultIdleTimeout, "close a session whose client has stopped answering for this long")
	// How often authorized_keys is looked at while serving; hidden: the
	// end-to-end test shortens it, nobody else needs to.
	fl.DurationVar(&f.keysRecheck, "authorized-keys-recheck", serve.DefaultKeysRecheck, "how often to read --authorized-keys again while serving")
	_ = fl.MarkHidden("authorized-keys-recheck")
	fl.IntVar(&f.maxSessions, "max-sessions", serve.DefaultMaxSessions, "most sessions open at once")
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

// hostKeyPath is --host-key, or the host key's file in the state
// directory.
func hostKeyPath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	dir, err := recording.DefaultDir()
	if err != nil {
		return "", fmt.Errorf("host key: %w (or pass --host-key FILE)", err)
	}
	return filepath.Join(dir, serve.HostKeyName), nil
}

// runServe serves a watch's screens over SSH on listen until ctx ends or
// a signal comes; then it closes the sessions, telling each client which
// signal stopped the server, drains the pipeline and closes the watch.
func runServe(ctx context.Context, w *launch.Watch, srv *serve.Server, listen, hostKeyPath string, out io.Writer) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return errors.Join(fmt.Errorf("listen: %w", err), finish(w, out))
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintf(out, "launchwatch serve: %s on ssh://%s (connect with: ssh -p %s HOST); host key %s\n",
		snapshot.CleanText(launch.Name(w.Config), 60), ln.Addr(), port, hostKeyPath)
	if w.Recording != nil {
		fmt.Fprintf(out, "launchwatch serve: recording to %s\n", w.Recording.Path())
	}
	sctx, stop := stopOnSignal(ctx)
	defer stop()
	err = srv.Serve(sctx, ln)
	return errors.Join(err, finish(w, out))
}

// stopSignals end serve; main's context ends on the same ones.
var stopSignals = map[os.Signal]string{
	os.Interrupt:    "SIGINT",
	syscall.SIGTERM: "SIGTERM",
	syscall.SIGHUP:  "SIGHUP",
	syscall.SIGQUIT: "SIGQUIT",
}

// signalLag bounds how long, after main's context ends, a signal may take
// to reach this command's own channel: the runtime hands a signal to each
// channel in turn, and main's may be served first.
const signalLag = time.Second

// stopOnSignal returns a context that ends with a *serve.Stopped naming
// the first of stopSignals to come, so serve can tell its clients which
// one stopped it, or when parent ends otherwise. After the first signal
// it stops catching them: a second ends the process at once, as main
// arranges for every command.
func stopOnSignal(parent context.Context) (context.Context, context.CancelFunc) {
	ch := make(chan os.Signal, 1)
	for sig := range stopSignals {
		signal.Notify(ch, sig)
	}
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(parent))
	done := make(chan struct{})
	go func() {
		defer signal.Stop(ch)
		select {
		case sig := <-ch:
			cancel(&serve.Stopped{Why: stopSignals[sig]})
		case <-parent.Done():
			cause := context.Cause(parent)
			if cause == parent.Err() { //nolint:errorlint // no cause given: parent did not end on a signal
				cancel(cause)
				return
			}
			// Main's context ends on the same signals with a cause: the
			// signal is on its way to ch too.
			select {
			case sig := <-ch:
				cancel(&serve.Stopped{Why: stopSignals[sig]})
			case <-time.After(signalLag):
				cancel(context.Cause(parent))
			}
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel(context.Canceled) }
}
