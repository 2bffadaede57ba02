package alerts

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// flakyHook is a webhook receiver on a fixed loopback port that can be
// taken down (its listener closed: connections are refused, as when the
// receiver's process is gone) and brought back on the same port. It can
// also answer late, after a client's timeout, having taken the alert.
type flakyHook struct {
	t    *testing.T
	addr string

	mu    sync.Mutex
	delay time.Duration // how long each request is held before its answer
	srv   *httptest.Server
	got   []receivedAlert
	seen  chan struct{} // a signal per alert received
}

// receivedAlert is what the receiver reads of a POST.
type receivedAlert struct {
	State    string `json:"state"`
	Subject  string `json:"subject"`
	DedupKey string `json:"dedup_key"`
	At       time.Time
}

// newFlakyHook starts a receiver, up, on a free loopback port.
func newFlakyHook(t *testing.T, delay time.Duration) *flakyHook {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &flakyHook{t: t, addr: ln.Addr().String(), delay: delay, seen: make(chan struct{}, 10000)}
	f.serve(ln)
	t.Cleanup(f.down)
	return f
}

func (f *flakyHook) url() string { return "http://" + f.addr + "/hook/token" }

func (f *flakyHook) serve(ln net.Listener) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(f.handle))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
}

// up listens again on the same port.
func (f *flakyHook) up() {
	f.t.Helper()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		f.t.Fatalf("listen again on %s: %v", f.addr, err)
	}
	f.serve(ln)
}

// down closes the listener and every connection: the next POST is refused.
func (f *flakyHook) down() {
	f.mu.Lock()
	srv := f.srv
	f.srv = nil
	f.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
}

// handle takes the alert, then answers after the delay: a receiver that
// has acted on an alert though its answer comes too late for the client.
func (f *flakyHook) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var a receivedAlert
	if err := json.Unmarshal(body, &a); err != nil {
		http.Error(w, "not JSON", http.StatusBadRequest)
		return
	}
	a.At = time.Now()
	f.mu.Lock()
	f.got = append(f.got, a)
	delay := f.delay
	f.mu.Unlock()
	f.seen <- struct{}{}
	time.Sleep(delay)
	w.WriteHeader(http.StatusNoContent)
}

// answerIn makes the receiver answer each request after d.
func (f *flakyHook) answerIn(d time.Duration) {
	f.mu.Lock()
	f.delay = d
	f.mu.Unlock()
}

func (f *flakyHook) received() []receivedAlert {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]receivedAlert(nil), f.got...)
}

// waitFor waits until the receiver has taken n alerts or timeout passes,
// and returns what it took.
func (f *flakyHook) waitFor(n int, timeout time.Duration) []receivedAlert {
	deadline := time.After(timeout)
	for len(f.received()) < n {
		select {
		case <-f.seen:
		case <-deadline:
			return f.received()
		}
	}
	return f.received()
}
