// Package serve puts the dashboard on screens fed by one pipeline: the
// terminal launchwatch runs in (Terminal), or an SSH server whose every
// session is a screen of its own (Server), with the session's size,
// colours, theme, layout and focus. Every screen is a read-only subscriber
// of the pipeline, so the sources are polled once however many screens are
// open.
//
// The server lets in only the keys of an OpenSSH authorized_keys file,
// read again when it changes (Keyring), and ends the open sessions of a
// key taken out of it; it keeps its host key in a file of mode 0600
// (HostKey), refuses sessions past a cap and commands, and closes a
// session whose client has not answered a keepalive for the idle timeout.
// When it stops, every screen quits through its session, so each client
// gets its terminal back, and is told why before its session ends.
//
// Each screen runs on its own Lip Gloss renderer, built for its terminal
// (FIELD-NOTES, "Serving the TUI over SSH"); the program of a session
// handles no signals, since the server does.
package serve
