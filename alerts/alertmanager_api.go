package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// The few calls of Alertmanager's v2 API the sink makes, by hand: its
// generated client would pull in go-openapi for four requests.

// maxSilencesBody bounds the list of silences read back: thousands of
// silences with long comments.
const maxSilencesBody = 16 << 20

// amError is a failed call. Answered says the Alertmanager answered (with
// a status outside 2xx); a call that got no answer (a timeout, a broken
// connection) may still have been done there, unless it never connected.
type amError struct {
	err      error
	answered bool
	status   int
	unsure   bool // it may have been done: sent, and no answer came
}

func (e *amError) Error() string { return e.err.Error() }
func (e *amError) Unwrap() error { return e.err }

// unsure reports whether a failed call may have been done all the same.
func unsure(err error) bool {
	var e *amError
	return errors.As(err, &e) && e.unsure
}

// postAlerts posts alerts to /api/v2/alerts.
func (am *Alertmanager) postAlerts(ctx context.Context, alerts []amAlert) error {
	body, err := json.Marshal(alerts)
	if err != nil {
		return fmt.Errorf("encode alerts: %w", err)
	}
	_, err = am.call(ctx, http.MethodPost, "api/v2/alerts", body, 0)
	return err
}

// amMatcher is a silence's matcher.
type amMatcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
	IsEqual bool   `json:"isEqual"`
}

// amSilenceBody is a silence as the v2 API posts and lists it.
type amSilenceBody struct {
	ID        string      `json:"id,omitempty"`
	Matchers  []amMatcher `json:"matchers"`
	StartsAt  time.Time   `json:"startsAt"`
	EndsAt    time.Time   `json:"endsAt"`
	CreatedBy string      `json:"createdBy"`
	Comment   string      `json:"comment"`
	Status    *struct {
		State string `json:"state"`
	} `json:"status,omitempty"`
}

// createSilence posts a silence and returns its id.
func (am *Alertmanager) createSilence(ctx context.Context, s amSilenceBody) (string, error) {
	body, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encode silence: %w", err)
	}
	answer, err := am.call(ctx, http.MethodPost, "api/v2/silences", body, 64<<10)
	if err != nil {
		return "", err
	}
	var got struct {
		SilenceID string `json:"silenceID"`
	}
	if err := json.Unmarshal(answer, &got); err != nil || got.SilenceID == "" {
		return "", &amError{err: fmt.Errorf("POST %s: the answer holds no silenceID", am.name), answered: true}
	}
	return got.SilenceID, nil
}

// deleteSilence expires a silence; one that is gone counts as done.
// Alertmanager 0.25 answers 200 for one already expired and 500 "silence
// not found" for one it does not know (a newer one 404).
func (am *Alertmanager) deleteSilence(ctx context.Context, id string) error {
	_, err := am.call(ctx, http.MethodDelete, "api/v2/silence/"+url.PathEscape(id), nil, 0)
	var e *amError
	if errors.As(err, &e) && (e.status == http.StatusNotFound || e.status == http.StatusInternalServerError && strings.Contains(e.err.Error(), "silence not found")) {
		return nil
	}
	return err
}

// listSilences returns every silence the Alertmanager holds.
func (am *Alertmanager) listSilences(ctx context.Context) ([]amSilenceBody, error) {
	answer, err := am.call(ctx, http.MethodGet, "api/v2/silences", nil, maxSilencesBody)
	if err != nil {
		return nil, err
	}
	var out []amSilenceBody
	if err := json.Unmarshal(answer, &out); err != nil {
		return nil, fmt.Errorf("GET %s silences: %w", am.name, err)
	}
	return out, nil
}

// call makes one request under the timeout and returns up to limit bytes
// of a 2xx answer. Errors name the Alertmanager by host and quote its
// answer cleaned for a terminal; none shows the URL's user or password.
func (am *Alertmanager) call(ctx context.Context, method, path string, body []byte, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, am.opts.Timeout)
	defer cancel()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, am.base.JoinPath(path).String(), r)
	if err != nil {
		return nil, &amError{err: fmt.Errorf("%s %s: bad request", method, am.name)} // the URL was checked: not reached
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := am.client.Do(req)
	if err != nil {
		// url.Error quotes the whole URL: keep its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		// A call that never connected was not done; any other may have
		// been, its answer lost.
		var oe *net.OpError
		sent := !errors.As(err, &oe) || oe.Op != "dial"
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s", am.opts.Timeout)
		}
		return nil, &amError{err: fmt.Errorf("%s %s: %w", method, am.name, err), unsure: sent}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		b, err := io.ReadAll(io.LimitReader(resp.Body, max(limit, 1)))
		if err != nil {
			return nil, &amError{err: fmt.Errorf("%s %s: read the answer: %w", method, am.name, err), answered: true}
		}
		return b, nil
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	err = fmt.Errorf("%s %s: answered %s", method, am.name, resp.Status)
	if s := snapshot.CleanText(strings.TrimSpace(string(snippet)), 200); s != "" {
		err = fmt.Errorf("%s %s: answered %s: %s", method, am.name, resp.Status, s)
	}
	return nil, &amError{err: err, answered: true, status: resp.StatusCode}
}
