package promtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// AlertmanagerOptions shape the Alertmanager a test starts.
type AlertmanagerOptions struct {
	// Receiver is the URL of a webhook the test runs: every notification
	// of the default route is POSTed to it (Alertmanager's webhook
	// format). Empty routes to a receiver that sends nothing.
	Receiver string
	// GroupWait, GroupInterval and RepeatInterval are the route's
	// (defaults 1 s, 1 s, 1 h: a test sees its groups at once).
	GroupWait, GroupInterval, RepeatInterval time.Duration
	// GroupBy are the route's group_by labels (default launch, kind).
	GroupBy []string
	// ResolveTimeout is the global resolve_timeout (default 5 m, as
	// Alertmanager's own; it applies only to alerts posted without endsAt).
	ResolveTimeout time.Duration
}

// StartAlertmanager starts Debian's prometheus-alertmanager (or
// $LAUNCHWATCH_ALERTMANAGER_BIN) on a free loopback port, clustering off
// (--cluster.listen-address=), its data in a temporary directory, and
// returns once /-/ready answers.
func StartAlertmanager(t testing.TB, o AlertmanagerOptions) *Server {
	t.Helper()
	bin := binary(t, "prometheus-alertmanager", "LAUNCHWATCH_ALERTMANAGER_BIN")
	if o.GroupWait <= 0 {
		o.GroupWait = time.Second
	}
	if o.GroupInterval <= 0 {
		o.GroupInterval = time.Second
	}
	if o.RepeatInterval <= 0 {
		o.RepeatInterval = time.Hour
	}
	if len(o.GroupBy) == 0 {
		o.GroupBy = []string{"launch", "kind"}
	}
	if o.ResolveTimeout <= 0 {
		o.ResolveTimeout = 5 * time.Minute
	}
	dir := t.TempDir()
	receiver := "  - name: test\n"
	if o.Receiver != "" {
		receiver += fmt.Sprintf("    webhook_configs:\n      - url: %q\n        send_resolved: true\n", o.Receiver)
	}
	groupBy := ""
	for i, l := range o.GroupBy {
		if i > 0 {
			groupBy += ", "
		}
		groupBy += fmt.Sprintf("%q", l)
	}
	conf := fmt.Sprintf(`global:
  resolve_timeout: %s
route:
  receiver: test
  group_by: [%s]
  group_wait: %s
  group_interval: %s
  repeat_interval: %s
receivers:
%s`, o.ResolveTimeout, groupBy, o.GroupWait, o.GroupInterval, o.RepeatInterval, receiver)
	path := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return start(t, "prometheus-alertmanager", "/-/ready", func(addr string) *exec.Cmd {
		return exec.Command(bin, "--config.file="+path, "--storage.path="+filepath.Join(dir, "data"),
			"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=warn")
	})
}

// PostJSON POSTs v as JSON to base+path (an Alertmanager's API: its
// alerts, its silences) and decodes the answer into out (nil: not read);
// an answer other than 200 fails the test.
func PostJSON(t testing.TB, base, path string, v, out any) {
	t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s", path, resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
	}
}
