package alerts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/launchwatch/launchwatch/events"
)

// Format is the shape of the body a webhook POSTs: the alert's own JSON,
// a PagerDuty event, or a Slack message. Every format is built from the
// same Alert at the moment it is sent, so a queue file, which keeps
// alerts and not bodies, holds no routing key.
type Format string

// Formats.
const (
	// FormatJSON is the Alert as it is, the default.
	FormatJSON Format = "json"
	// FormatPagerDuty is an event of PagerDuty's Events API v2.
	FormatPagerDuty Format = "pagerduty"
	// FormatSlack is a Slack message with blocks, for an incoming webhook.
	FormatSlack Format = "slack"
)

// PagerDutyEventsURL is where PagerDuty takes Events API v2 events: a
// pagerduty webhook's URL when the config gives none.
const PagerDutyEventsURL = "https://events.pagerduty.com/v2/enqueue"

// encode builds the body of a in format f. The routing key and the source
// fall-back (the host) are the webhook's.
func encode(f Format, a Alert, routingKey, host string) ([]byte, error) {
	switch f {
	case FormatPagerDuty:
		return marshal(pagerDutyEvent(a, routingKey, host))
	case FormatSlack:
		return marshal(slackMessage(a))
	}
	return json.Marshal(a)
}

// marshal is json.Marshal without the escaping of &, < and > for HTML:
// a Slack message is full of them, and the receiver is no web page.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// pdEvent is an Events API v2 event
// (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
type pdEvent struct {
	RoutingKey  string    `json:"routing_key"`
	EventAction string    `json:"event_action"`
	DedupKey    string    `json:"dedup_key"`
	Payload     pdPayload `json:"payload"`
	Links       []pdLink  `json:"links,omitempty"`
	Client      string    `json:"client"`
	ClientURL   string    `json:"client_url,omitempty"`
}

type pdPayload struct {
	Summary       string    `json:"summary"`
	Severity      string    `json:"severity"`
	Source        string    `json:"source"`
	Component     string    `json:"component,omitempty"`
	Group         string    `json:"group,omitempty"`
	Class         string    `json:"class"`
	Timestamp     string    `json:"timestamp"`
	CustomDetails pdDetails `json:"custom_details"`
}

// pdDetails are the fields PagerDuty shows under the incident's details.
type pdDetails struct {
	State    State             `json:"state"`
	Message  string            `json:"message"`
	Lines    string            `json:"lines,omitempty"`
	Since    time.Time         `json:"since"`
	Duration string            `json:"duration,omitempty"`
	Kind     events.Kind       `json:"kind"`
	Subject  string            `json:"subject,omitempty"`
	Launch   string            `json:"launch,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	AckedBy  string            `json:"acked_by,omitempty"`
	AckedAt  *time.Time        `json:"acked_at,omitempty"`
}

type pdLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// maxPDSummary is the Events API's bound on payload.summary, in
// characters.
const maxPDSummary = 1024

// pdTimestamp is ISO 8601 with milliseconds, as PagerDuty's examples write
// it.
const pdTimestamp = "2006-01-02T15:04:05.000Z07:00"

// pagerDutyEvent is a as PagerDuty's event. Its dedup_key is the
// problem's id, the same on the opening, the escalation, the
// acknowledgement and the resolve, so PagerDuty keeps one incident per
// problem: an escalation is a second trigger of the same incident. The
// payload goes with every action, as Alertmanager's PagerDuty notifier
// sends it; PagerDuty reads it on a trigger.
func pagerDutyEvent(a Alert, routingKey, host string) pdEvent {
	action := "trigger"
	switch a.State {
	case Acknowledged:
		action = "acknowledge"
	case Resolved:
		action = "resolve"
	}
	source := a.Launch
	if source == "" {
		source = host
	}
	if source == "" {
		source = "launchwatch"
	}
	ev := pdEvent{
		RoutingKey: routingKey, EventAction: action, DedupKey: a.ProblemID,
		Payload: pdPayload{
			Summary: truncate(a.Summary, maxPDSummary), Severity: severityWord(a.Severity), Source: source,
			Component: a.Subject, Group: a.Launch, Class: string(a.Kind), Timestamp: a.Time.UTC().Format(pdTimestamp),
			CustomDetails: pdDetails{
				State: a.State, Message: a.Message, Lines: a.Lines, Since: a.Since.UTC(), Duration: a.Duration,
				Kind: a.Kind, Subject: a.Subject, Launch: a.Launch, Labels: a.Labels,
			},
		},
		Client: "launchwatch", ClientURL: a.DashboardURL,
	}
	if a.Ack != nil {
		at := a.Ack.At.UTC()
		ev.Payload.CustomDetails.AckedBy, ev.Payload.CustomDetails.AckedAt = a.Ack.By, &at
	}
	if a.RunbookURL != "" {
		ev.Links = append(ev.Links, pdLink{Href: a.RunbookURL, Text: "Runbook"})
	}
	if a.DashboardURL != "" {
		ev.Links = append(ev.Links, pdLink{Href: a.DashboardURL, Text: "Dashboard"})
	}
	return ev
}

// truncate cuts s to at most n characters, the last an ellipsis when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// slackMsg is a message for a Slack incoming webhook: text is the
// notification's line and the fall-back where blocks are not shown.
type slackMsg struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackMessage is a as a Slack message: a section with the headline in
// bold, the figure and the plan's lines; a context with the launch, the
// severity and when the problem opened (in the reader's time zone, by
// Slack's date token); and a context with the runbook and dashboard
// links when they are set. Every text is mrkdwn with &, < and > escaped,
// so a figure or a label cannot make a link or a mention.
func slackMessage(a Alert) slackMsg {
	head, figure := a.headline(), a.figure()
	section := "*" + slackEscape(head) + "*"
	if figure != "" {
		section += "\n" + slackEscape(figure)
	}
	if a.Lines != "" {
		section += "\nPlan: " + slackEscape(a.Lines)
	}
	var about []string
	if a.Launch != "" {
		about = append(about, slackEscape(a.Launch))
	}
	about = append(about, severityWord(a.Severity))
	since := a.Since.UTC()
	about = append(about, fmt.Sprintf("since <!date^%d^{date_short_pretty} {time_secs}|%s>", since.Unix(), since.Format("2006-01-02 15:04:05 UTC")))
	msg := slackMsg{Text: slackEscape(a.Text), Blocks: []slackBlock{
		{Type: "section", Text: &slackText{Type: "mrkdwn", Text: section}},
		{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: strings.Join(about, " · ")}}},
	}}
	var links []string
	if a.RunbookURL != "" {
		links = append(links, slackLink(a.RunbookURL, "Runbook"))
	}
	if a.DashboardURL != "" {
		links = append(links, slackLink(a.DashboardURL, "Dashboard"))
	}
	if len(links) > 0 {
		msg.Blocks = append(msg.Blocks, slackBlock{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: strings.Join(links, " · ")}}})
	}
	return msg
}

// slackEscaper escapes the three characters Slack's mrkdwn reads as
// control: & < >.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func slackEscape(s string) string { return slackEscaper.Replace(s) }

// slackLink is <url|text>. The URL is escaped as text is (Slack reads
// &amp; in a link as &), and a | in it, which would end the URL, is
// percent-encoded.
func slackLink(url, text string) string {
	return "<" + strings.ReplaceAll(slackEscape(url), "|", "%7C") + "|" + text + ">"
}
