package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
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

// screens makes a screen for every session, all fed by one pipeline, and
// keeps the open ones so the server can end them: all at its stop, or
// those of a key taken out of authorized_keys.
type screens struct {
	p    *pipeline.Pipeline
	base tui.Options
	bell bool
	log  *slog.Logger
	max  int64
	idle time.Duration
	keys *Keyring // nil lets in anyone who reaches the listener

	open   atomic.Int64
	served atomic.Int64

	mu       sync.Mutex
	live     map[*live]struct{}
	stopping string // the line every client is told once the server stops; "" while it serves
}

// live is an open session: its screen's program once it is made, and the
// line the client is told when the server ends the session.
type live struct {
	sess ssh.Session
	key  ssh.PublicKey // nil without authorized keys

	mu   sync.Mutex
	prog *tea.Program
	why  string // "" while the session is the client's to end (q, a hang-up)
}

// liveKey finds a session's live in its context, where the gate puts it
// for the program handler.
type liveKey struct{}

// end quits the session's screen, telling the client why once Bubble Tea
// has given the terminal back (the gate writes it). The first reason
// holds.
func (l *live) end(why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.why != "" {
		return
	}
	l.why = why
	if l.prog != nil {
		// Quit waits for the program's event loop to take the message: a
		// screen just made may not run yet, and the gate's Kill frees it
		// if it never does.
		go l.prog.Quit()
	}
}

// attach gives the session its program, quitting it at once when the
// session was ended before the program was made.
func (l *live) attach(prog *tea.Program) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prog = prog
	if l.why != "" {
		go prog.Quit()
	}
}

// reason is the line the server ends the session with, "" when it did not.
func (l *live) reason() (string, *tea.Program) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.why, l.prog
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
	opts.Annotate = func(at time.Time, text string) error { return s.p.Annotate(at, text, who) }
	opts.Bell = nil
	if s.bell {
		opts.Bell = func() { _, _ = io.WriteString(sess, "\a") } // rings this session's terminal
	}
	go func() { <-sess.Context().Done(); sub.Close() }()
	// The server handles signals; one session's program must not.
	prog := tea.NewProgram(tui.New(opts), append(bubbletea.MakeOptions(sess),
		tea.WithAltScreen(), tea.WithFPS(FPS), tea.WithoutSignalHandler())...)
	if l, ok := sess.Context().Value(liveKey{}).(*live); ok {
		l.attach(prog)
	}
	return prog
}

// gate refuses commands and sessions past the cap, keeps the client
// answering, logs each session, and tells the client why when the server
// ends its session.
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
		l := &live{sess: sess, key: sess.PublicKey()}
		if why := s.enter(l); why != "" {
			// A session opened on a connection whose key has since left
			// authorized_keys, or while the server stops.
			s.log.Warn("session refused", "user", user, "remote", remote, "why", why)
			wish.Fatalln(sess, why)
			return
		}
		defer s.leave(l)
		sess.Context().SetValue(liveKey{}, l)
		s.served.Add(1)
		start := time.Now()
		attrs := []any{"user", user, "remote", remote, "sessions", n}
		if l.key != nil {
			attrs = append(attrs, "key", gossh.FingerprintSHA256(l.key))
		}
		s.log.Info("session start", attrs...)
		ctx, stop := context.WithCancel(sess.Context())
		defer stop()
		if conn, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn); ok {
			go s.keepAlive(ctx, conn, user, remote)
		}
		next(sess)
		if why, prog := l.reason(); why != "" {
			if prog != nil {
				prog.Kill() // frees a Quit still waiting for a program that never ran
			}
			// Bubble Tea has given the terminal back through the session
			// (alternate screen off, cursor on): the line lands on the
			// client's own screen, then the session ends with a status.
			_, _ = io.WriteString(sess, why+"\r\n")
			_ = sess.Exit(1)
			s.log.Info("session ended by the server", "user", user, "remote", remote, "why", why)
		}
		s.log.Info("session end", "user", user, "remote", remote, "lasted", time.Since(start).Round(time.Second))
	}
}

// enter adds an open session, or returns why it may not open: the server
// is stopping, or the session's key has left authorized_keys (a new
// session on a connection authenticated before).
func (s *screens) enter(l *live) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping != "" {
		return s.stopping
	}
	if l.key != nil && s.keys != nil && !s.keys.has(l.key) {
		return keyGoneLine(l.key)
	}
	if s.live == nil {
		s.live = make(map[*live]struct{})
	}
	s.live[l] = struct{}{}
	return ""
}

func (s *screens) leave(l *live) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.live, l)
}

// stop ends every open session, and refuses new ones, with the line the
// clients are told.
func (s *screens) stop(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopping = line
	for l := range s.live {
		l.end(line)
	}
}

// watchKeys reads authorized_keys again every period, when it changed,
// and ends the open sessions whose key is no longer in it, until ctx
// ends. Every look checks every session, so a change the authentication
// of a new connection read first still ends the old sessions.
func (s *screens) watchKeys(ctx context.Context, period time.Duration) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		s.keys.refresh(s.log)
		s.mu.Lock()
		for l := range s.live {
			if l.key != nil && !s.keys.has(l.key) {
				s.log.Warn("session ends: its key left authorized_keys", "user", snapshot.CleanText(l.sess.User(), 40),
					"remote", l.sess.RemoteAddr().String(), "key", gossh.FingerprintSHA256(l.key))
				l.end(keyGoneLine(l.key))
			}
		}
		s.mu.Unlock()
	}
}

// keyGoneLine tells a client its key has left authorized_keys.
func keyGoneLine(key ssh.PublicKey) string {
	return "launchwatch serve: your key " + gossh.FingerprintSHA256(key) +
		" is no longer in the server's authorized_keys; this session ends"
}

// requester is the part of an SSH connection keepAlive needs
// (gossh.Conn).
type requester interface {
	SendRequest(name string, wantReply bool, payload []byte) (bool, []byte, error)
	Close() error
}

// keepAlive asks the client for a keepalive every third of the idle
// timeout, one at a time, and closes the connection when no answer has
// come for the idle timeout: the deadline runs from the last answer (from
// the session's start before the first), not from a question, so a client
// that stops answering is closed the idle timeout after its last sign of
// life at the latest, and a client that answers each question within two
// thirds of it stays.
func (s *screens) keepAlive(ctx context.Context, conn requester, user, remote string) {
	tick := time.NewTicker(s.idle / 3)
	defer tick.Stop()
	deadline := time.NewTimer(s.idle)
	defer deadline.Stop()
	answered := make(chan error, 1) // the asking goroutine never blocks on it
	asking := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if !asking {
				asking = true
				go func() {
					_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
					answered <- err
				}()
			}
		case err := <-answered:
			if err != nil {
				return // the connection is gone
			}
			asking = false
			deadline.Reset(s.idle)
		case <-deadline.C:
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
