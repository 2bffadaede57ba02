package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
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
			if f.idleTimeout < serve.MinIdleTimeout {
				return fmt.Errorf("--idle-timeout %s: must be at least %s", f.idleTimeout, serve.MinIdleTimeout)
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
				IdleTimeout: f.idleTimeout, MaxSessions: f.maxSessions, Bell: !f.bell.noBell, Log: w.Log})
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

// runServe serves a watch's screens over SSH on listen until ctx ends (a
// signal); then it closes the sessions, drains the pipeline and closes
// the watch.
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
	err = srv.Serve(ctx, ln)
	return errors.Join(err, finish(w, out))
}
