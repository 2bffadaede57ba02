package alerts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/snapshot"
)

// State says whether an alert opens a problem, tells that it has grown
// more severe, tells that a person has taken it, or resolves it.
type State string

// States.
const (
	Opened    State = "opened"
	Escalated State = "escalated"
	// Acknowledged says a person took the problem (Alert.Ack): PagerDuty
	// stops escalating it, an Alertmanager silences it.
	Acknowledged State = "acknowledged"
	Resolved     State = "resolved"
)

// Alert is what a sink receives: a problem opening, escalating, being
// acknowledged or resolving. Its JSON is what a command reads on standard
// input and a webhook of format json is POSTed; the other formats are
// built from it (format.go).
type Alert struct {
	State State `json:"state"`
	// DedupKey names this alert of this problem: the same on every attempt
	// to send it (a retry after a timeout, a resend after a restart), so a
	// receiver that has already acted on it can drop the repeat. See
	// dedupKey for what it is made of.
	DedupKey string `json:"dedup_key"`
	// ProblemID names the problem this alert is about, the same for its
	// opening, escalation, acknowledgement and resolve: the launch, its
	// kind and subject and when it opened, hashed. PagerDuty's dedup_key.
	ProblemID string `json:"problem_id"`
	// Launch names the launch being watched.
	Launch   string          `json:"launch,omitempty"`
	Kind     events.Kind     `json:"kind"`
	Severity events.Severity `json:"severity"`
	Subject  string          `json:"subject,omitempty"`
	// Message is the problem's newest description: when it resolves, the
	// worst it reached while it stood (never the recovered figure).
	// Severity is the problem's; a resolve carries the highest the sink
	// was sent.
	Message string `json:"message"`
	// Since is when the problem opened; Time is the snapshot that opened,
	// escalated or resolved it.
	Since time.Time `json:"since"`
	Time  time.Time `json:"time"`
	// DurationSeconds and Duration say how long a resolved problem lasted.
	DurationSeconds float64 `json:"duration_seconds,omitempty"`
	Duration        string  `json:"duration,omitempty"`
	// Title names the problem for people ("error burst"); Summary says
	// it in one line with its figure and the lines it is held against:
	// "Error burst: 42% of requests failing (120/s), measured (plan: warn
	// 1%, crit 5%)". The kind is a label, never the words.
	Title   string `json:"title,omitempty"`
	Summary string `json:"summary"`
	// Lines are the lines the problem is judged against, in words.
	Lines string `json:"lines,omitempty"`
	// RunbookURL says what to do (alerts.runbooks, by kind/subject, then
	// kind); DashboardURL is alerts.dashboard_url.
	RunbookURL   string `json:"runbook_url,omitempty"`
	DashboardURL string `json:"dashboard_url,omitempty"`
	// Labels are alerts.labels, the same on every alert.
	Labels map[string]string `json:"labels,omitempty"`
	// Ack is who acknowledged the problem and when, once someone has.
	Ack *snapshot.Ack `json:"ack,omitempty"`
	// Text is the alert in one line a person reads, for a chat or a log
	// (see text): "CRITICAL · Error burst: 42% of requests failing …
	// (plan: warn 1%, crit 5%) · Winter drop". The kind is never in it.
	Text string `json:"text"`
}

// Key names the problem an alert is about: its kind and subject.
func (a Alert) Key() string { return events.Key(a.Kind, a.Subject) }

// maxText caps the free text an alert carries.
const maxText = 500

func newAlert(state State, launch string, p events.Problem, at time.Time) Alert {
	a := Alert{
		State: state, Launch: snapshot.LaunchLabel(launch), Kind: p.Kind, Severity: p.Severity,
		Subject: snapshot.CleanText(p.Subject, 100), Message: snapshot.CleanText(p.Message, maxText),
		Since: p.Since, Time: at,
	}
	if state == Resolved {
		if p.Worst != "" {
			a.Message = snapshot.CleanText(p.Worst, maxText)
		}
		d := max(at.Sub(p.Since), 0).Round(time.Second)
		a.DurationSeconds, a.Duration = d.Seconds(), d.String()
	}
	a.ProblemID = problemID(a.Launch, p)
	a.Title = snapshot.CleanText(p.Title, 100)
	a.Lines = snapshot.CleanText(p.Lines, 200)
	a.Summary = snapshot.CleanText(p.Summary(a.Message), maxText)
	if p.Ack != nil {
		ack := *p.Ack
		ack.By = snapshot.CleanText(ack.By, snapshot.MaxAckBy)
		a.Ack = &ack
	}
	a.Text = a.text()
	a.DedupKey = a.dedupKey()
	return a
}

// dedupKey hashes what makes an alert one event: the launch, the problem's
// kind and subject and the time it opened, the state and the severity
// told (an acknowledgement and a resolve carry the highest the sink was
// told). A problem that resolves and opens again has a new opening time,
// so a new key; its opening, escalation, acknowledgement and resolve each
// have their own; two sinks with different min_severity that share a
// receiver send different opening keys (warn, crit), so the receiver drops
// neither. The message and who acknowledged are left out: they are words
// about the event, not the event. 128 bits of SHA-256, in hex.
func (a Alert) dedupKey() string {
	// Built in a stack buffer and hashed in one call: it runs for every
	// alert, inside Observe.
	var buf [512]byte
	b := buf[:0]
	for _, s := range [...]string{a.Launch, string(a.Kind), a.Subject} {
		b = append(b, s...)
		b = append(b, 0) // a separator no field holds: ("ab","c") is not ("a","bc")
	}
	b = append(a.Since.UTC().AppendFormat(b, time.RFC3339Nano), 0)
	b = append(append(b, a.State...), 0)
	b = append(b, a.Severity.String()...)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// text is the alert in one line a person reads, in words and never the
// internal kind: what happened, the problem's summary, the launch.
//
//	CRITICAL · Error burst: 42% of requests failing (120/s), measured (plan: warn 1%, crit 5%) · Winter drop
//	Escalated to critical · Error burst: … · Winter drop
//	Acknowledged by alice@war-room · Error burst: … · Winter drop
//	Resolved after 4m10s · Error burst (worst, critical: 42% of requests failing (120/s), measured) · Winter drop
//
// A resolve quotes the worst the problem reached and the highest
// severity the sink was told, not the plan's lines: the problem is over.
func (a Alert) text() string {
	var b strings.Builder
	b.WriteString(a.lead())
	b.WriteString(" · ")
	if a.State == Resolved {
		name, figure := a.parts()
		if name != "" {
			fmt.Fprintf(&b, "%s (worst, %s: %s)", capitalize(name), severityWord(a.Severity), figure)
		} else {
			fmt.Fprintf(&b, "%s (worst, %s)", capitalize(figure), severityWord(a.Severity))
		}
	} else {
		b.WriteString(a.Summary)
	}
	if a.Launch != "" {
		b.WriteString(" · " + a.Launch)
	}
	return b.String()
}

// lead says what happened to the problem: "CRITICAL" (opened), "Escalated
// to critical", "Acknowledged by alice@war-room", "Resolved after 4m10s".
func (a Alert) lead() string {
	switch a.State {
	case Escalated:
		return "Escalated to " + severityWord(a.Severity)
	case Acknowledged:
		if a.Ack == nil || a.Ack.By == "" {
			return "Acknowledged"
		}
		return "Acknowledged by " + a.Ack.By
	case Resolved:
		return "Resolved after " + a.Duration
	}
	return strings.ToUpper(severityWord(a.Severity))
}

// headline is the lead and the problem's name: "CRITICAL · Error burst".
// A problem whose message names it itself ("source prometheus down: …")
// has the lead alone, and its message as its figure.
func (a Alert) headline() string {
	if name, _ := a.parts(); name != "" {
		return a.lead() + " · " + capitalize(name)
	}
	return a.lead()
}

// figure is the problem's figure in words, without its name: "42% of
// requests failing (120/s), measured"; a resolve's says it is the worst
// the problem reached: "Worst, critical: 42% of requests failing …".
func (a Alert) figure() string {
	_, figure := a.parts()
	if a.State == Resolved {
		return "Worst, " + severityWord(a.Severity) + ": " + figure
	}
	return capitalize(figure)
}

// parts splits the message into the problem's name (its title) and its
// figure, as Summary joins them: "error burst" and "42% of requests
// failing (120/s), measured". The name is "" when the problem has no
// title or the message starts with it ("source prometheus down: …"): the
// message is then the whole line.
func (a Alert) parts() (name, figure string) {
	title, msg := a.Title, a.Message
	switch {
	case title == "":
		return "", msg
	case strings.HasPrefix(msg, title+": "):
		return title, strings.TrimPrefix(msg, title+": ")
	case strings.HasPrefix(msg, title):
		return "", msg
	}
	return title, msg
}

// severityWord is a severity as a person says it: "warning", "critical".
func severityWord(s events.Severity) string {
	switch s {
	case events.Crit:
		return "critical"
	case events.Warn:
		return "warning"
	}
	return "info"
}

func capitalize(s string) string { return events.Capitalize(s) }

// problemID hashes what makes a problem one: the launch, its kind and
// subject and when it opened. 128 bits of SHA-256, in hex.
func problemID(launch string, p events.Problem) string {
	var buf [256]byte
	b := buf[:0]
	for _, s := range [...]string{launch, string(p.Kind), p.Subject} {
		b = append(b, s...)
		b = append(b, 0)
	}
	b = p.Since.UTC().AppendFormat(b, time.RFC3339Nano)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
