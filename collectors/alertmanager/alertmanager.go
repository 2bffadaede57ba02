// Package alertmanager reads an Alertmanager back (sources.alertmanager):
// the team's own firing alerts, shown on the problems panel beside
// launchwatch's, and the silences that cover launchwatch's own alerts
// (posted there by the alertmanager sink), shown on the problems they
// silence. It speaks the v2 API with encoding/json into a few local
// structs, not Alertmanager's Go client: two endpoints are read, and the
// client would pull its whole dependency tree in.
package alertmanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/launchwatch/launchwatch/collectors/source"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/snapshot"
)

// Bounds on what one read takes in.
const (
	// maxAlertsBody caps the alerts' answer: about 8,000 alerts of a
	// kilobyte each, far more than a team's firing alerts, and decoded
	// well within a poll.
	maxAlertsBody int64 = 8 << 20
	// maxSilenceBody caps one silence's answer.
	maxSilenceBody int64 = 64 << 10
	// maxSilenceReads is how many silences one poll reads that it does not
	// hold yet; the rest are read at the next polls, so a hundred new
	// silences never hold a poll past its deadline.
	maxSilenceReads = 8
	// silenceFresh is how long a silence read is kept before it is read
	// again: a silence's comment and end can be edited under its id.
	silenceFresh = time.Minute
)

// The labels launchwatch's own alerts carry (the alertmanager sink's): an
// alert whose launch is this launch's and that names a kind is one of
// launchwatch's problems, not the team's.
const (
	labelAlertname = "alertname"
	labelSeverity  = "severity"
	labelLaunch    = "launch"
	labelKind      = "kind"
	labelSubject   = "subject"
)

// Source reads an Alertmanager every poll. It answers no signal: its
// answer is the snapshot's TeamAlerts and Silences, and its health is in
// the snapshot's Sources like every source's, so an Alertmanager that
// does not answer is the source problem the others get.
type Source struct {
	client  *http.Client
	base    string // the base URL, without a trailing slash
	launch  string
	timeout time.Duration
	wall    func() time.Time

	mu       sync.Mutex // one Collect at a time touches the cache
	silences map[string]cachedSilence
}

// cachedSilence is a silence as last read, and when (wall time).
type cachedSilence struct {
	s  snapshot.Silence
	at time.Time
}

// New returns the source for a sources.alertmanager block; launch is the
// launch's name (config.LaunchName), matched as launchwatch's own alerts
// carry it in their launch label (snapshot.LaunchLabel).
func New(cfg *config.AlertmanagerSource, launch string) (*Source, error) {
	if cfg == nil {
		return nil, errors.New("alertmanager: no sources.alertmanager block")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("alertmanager: url %q is not an http(s) URL with a host", config.RedactURL(cfg.URL))
	}
	hc, err := promconfig.NewClientFromConfig(cfg.HTTPClientConfig, "launchwatch")
	if err != nil {
		return nil, fmt.Errorf("alertmanager: http client: %w", err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = config.SourceTimeout(config.DefaultInterval)
	}
	return &Source{client: hc, base: strings.TrimRight(cfg.URL, "/"), launch: snapshot.LaunchLabel(launch), timeout: timeout, wall: time.Now,
		silences: make(map[string]cachedSilence)}, nil
}

// Name implements source.Source.
func (s *Source) Name() string { return snapshot.SourceAlertmanager }

// Signals implements source.Source: the source answers no figure.
func (s *Source) Signals() []string { return nil }

// Launch is the launch name the source tells launchwatch's own alerts by.
func (s *Source) Launch() string { return s.launch }

// alert is what the v2 API's GET /api/v2/alerts answers of an alert
// (gettableAlert), as far as it is read.
type alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	Status      struct {
		State      string   `json:"state"`
		SilencedBy []string `json:"silencedBy"`
	} `json:"status"`
}

// silence is what GET /api/v2/silence/{id} answers (gettableSilence), as
// far as it is read.
type silence struct {
	ID        string    `json:"id"`
	CreatedBy string    `json:"createdBy"`
	Comment   string    `json:"comment"`
	EndsAt    time.Time `json:"endsAt"`
	Status    struct {
		State string `json:"state"`
	} `json:"status"`
}

// Alert states of the v2 API.
const (
	stateActive      = "active"
	stateSuppressed  = "suppressed"
	stateUnprocessed = "unprocessed"
	silenceExpired   = "expired"
)

// Collect implements source.Source: it reads every alert the
// Alertmanager holds, silenced and inhibited ones too, and splits them.
// launchwatch's own (this launch's, naming a kind) give the silences over
// its problems, read by id and kept a minute; every other alert that
// fires is the team's. A silence that cannot be read is still a silence,
// its author unknown, and a warning says why.
func (s *Source) Collect(ctx context.Context, _ time.Time) (source.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var res source.Result
	var alerts []alert
	if err := s.get(ctx, "/api/v2/alerts?active=true&silenced=true&inhibited=true", maxAlertsBody, &alerts); err != nil {
		res.AddError(source.ErrorKey, err)
		return res, err
	}
	team := make([]snapshot.TeamAlert, 0, len(alerts))
	covered := map[string][]string{} // silence ids by problem key
	for _, a := range alerts {
		switch a.Status.State {
		case stateActive, stateSuppressed, stateUnprocessed:
		default:
			continue // a state this reader does not know: not shown as firing
		}
		if a.Labels[labelLaunch] == s.launch && a.Labels[labelKind] != "" {
			if len(a.Status.SilencedBy) > 0 {
				key := a.Labels[labelKind] + "/" + a.Labels[labelSubject]
				covered[key] = append(covered[key], a.Status.SilencedBy...)
			}
			continue
		}
		team = append(team, teamAlert(a))
	}
	silences, warnings := s.silencesOver(ctx, covered)
	res.Warnings = warnings
	firing := len(team)
	res.TeamAlerts, res.Silences = snapshot.CleanTeamAlerts(team, silences)
	if firing > len(res.TeamAlerts) {
		res.Infos = append(res.Infos, fmt.Sprintf("%d of the team's alerts fire; the %d worst are shown", firing, len(res.TeamAlerts)))
	}
	if res.TeamAlerts == nil {
		res.TeamAlerts = []snapshot.TeamAlert{} // none fire: news, not a source that answers none
	}
	return res, nil
}

// teamAlert is an alert of the team's as a snapshot holds it.
func teamAlert(a alert) snapshot.TeamAlert {
	summary := a.Annotations["summary"]
	for _, k := range []string{"description", "message"} {
		if summary == "" {
			summary = a.Annotations[k]
		}
	}
	return snapshot.TeamAlert{
		Name:     a.Labels[labelAlertname],
		Severity: a.Labels[labelSeverity],
		Summary:  summary,
		Since:    a.StartsAt,
		Silenced: a.Status.State == stateSuppressed,
		Labels:   labelLine(a.Labels),
	}
}

// telling are the labels that most often tell an alert from its
// namesakes, shown first; the rest follow by name.
var telling = []string{"service", "job", "instance", "namespace", "pod", "host", "node", "cluster"}

// labelLine is an alert's labels as one line, "job=node
// instance=web-1:9100 …", its name and severity left out (they are shown
// apart), cut to snapshot.MaxAlertLabels.
func labelLine(labels map[string]string) string {
	var b strings.Builder
	add := func(k string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(labels[k])
	}
	for _, k := range telling {
		if _, ok := labels[k]; ok {
			add(k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if k == labelAlertname || k == labelSeverity || slices.Contains(telling, k) {
			continue
		}
		if b.Len() > 4*snapshot.MaxAlertLabels {
			break // cut anyway: no need to build the rest
		}
		add(k)
	}
	return snapshot.CleanText(b.String(), snapshot.MaxAlertLabels)
}

// silencesOver reads the silences over each covered problem and keeps, a
// problem, the one that ends last. Silences are read by id, at most
// maxSilenceReads a call; a silence read within silenceFresh is taken
// from the cache, and one no alert names any more is dropped from it.
func (s *Source) silencesOver(ctx context.Context, covered map[string][]string) (map[string]snapshot.Silence, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wall := s.wall()
	named := map[string]bool{}
	for _, ids := range covered {
		for _, id := range ids {
			named[id] = true
		}
	}
	for id := range s.silences {
		if !named[id] {
			delete(s.silences, id)
		}
	}
	var warnings []string
	reads := 0
	lookup := func(id string) (snapshot.Silence, bool) {
		if c, ok := s.silences[id]; ok && wall.Sub(c.at) < silenceFresh {
			return c.s, true
		}
		if reads == maxSilenceReads || ctx.Err() != nil {
			return snapshot.Silence{ID: id}, true // read at a later poll
		}
		reads++
		var got silence
		if err := s.get(ctx, "/api/v2/silence/"+url.PathEscape(id), maxSilenceBody, &got); err != nil {
			warnings = append(warnings, fmt.Sprintf("silence %s: %v", id, err))
			return snapshot.Silence{ID: id}, true
		}
		if got.Status.State == silenceExpired {
			delete(s.silences, id)
			return snapshot.Silence{}, false
		}
		c := snapshot.Silence{ID: id, By: got.CreatedBy, Comment: got.Comment, Until: got.EndsAt}
		s.silences[id] = cachedSilence{s: c, at: wall}
		return c, true
	}
	out := make(map[string]snapshot.Silence, len(covered))
	for _, key := range slices.Sorted(maps.Keys(covered)) {
		ids := slices.Compact(slices.Sorted(slices.Values(covered[key])))
		for _, id := range ids {
			c, ok := lookup(id)
			if !ok {
				continue
			}
			if was, held := out[key]; !held || c.Until.After(was.Until) {
				out[key] = c
			}
		}
	}
	return out, warnings
}

// get GETs target (a path and query) under the base URL and decodes its
// JSON answer into v, reading at most limit bytes. Errors name the path,
// never the URL (its query may hold a token), and hold no server text
// uncleaned.
func (s *Source) get(ctx context.Context, target string, limit int64, v any) error {
	// Errors name the path alone: the query is the same every poll, and
	// the message is the source problem's line.
	path, _, _ := strings.Cut(target, "?")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+target, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("GET %s: no answer within %s", path, s.timeout)
		}
		return fmt.Errorf("GET %s: %s", path, snapshot.CleanText(err.Error(), source.MaxDetail))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		msg := fmt.Sprintf("GET %s: status %s", path, snapshot.CleanText(resp.Status, 60))
		if text := snapshot.CleanText(string(snippet), 100); text != "" {
			msg += ": " + text
		}
		return errors.New(msg)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("GET %s: read body: %s", path, snapshot.CleanText(err.Error(), source.MaxDetail))
	}
	if int64(len(body)) > limit {
		return fmt.Errorf("GET %s: the answer exceeds %d bytes", path, limit)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: not the v2 API's JSON: %s", path, snapshot.CleanText(err.Error(), 200))
	}
	return nil
}
