package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/events"
	"github.com/launchwatch/launchwatch/internal/launchtest"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// script writes an executable shell script and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "alert.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitFile waits for a file to hold something and returns it.
func waitFile(t *testing.T, path string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 && b[len(b)-1] == '\n' {
			return string(b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s stayed empty for %s", path, timeout)
	return ""
}

// alive reports whether a process runs: a zombie no container init reaps
// counts as dead.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == nil && !errors.Is(err, os.ErrNotExist)
	}
	// pid (comm) state …: the state follows the last parenthesis.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func TestACommandReadsTheAlertAsJSONOnItsStandardInput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "got.json")
	c, err := NewCommand([]string{script(t, `cat > "$1"`), out}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := newAlert(Opened, "Winter drop", problem(events.KindErrors, "", events.Crit, 0, "error rate 7.2%"), t0)
	if err := c.Send(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	var got Alert
	b, _ := os.ReadFile(out)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("stdin was not the alert's JSON: %v\n%s", err, b)
	}
	if got.State != Opened || got.Kind != events.KindErrors || got.Severity != events.Crit || got.Text != want.Text || !got.Time.Equal(t0) {
		t.Errorf("the command read %+v, want %+v", got, want)
	}
}

func TestAFailingCommandSaysItsStatusAndLastLine(t *testing.T) {
	c, err := NewCommand([]string{script(t, "echo starting\necho 'no route to pager' >&2\nexit 3")}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Send(context.Background(), newAlert(Opened, "", problem(events.KindPace, "", events.Warn, 0, "slow"), t0))
	if err == nil || !strings.Contains(err.Error(), "exit status 3: no route to pager") {
		t.Errorf("err = %v, want the exit status and the output's last line", err)
	}
}

func TestAProgramNotOnPathIsRefusedAtTheStart(t *testing.T) {
	if _, err := NewCommand([]string{"launchwatch-no-such-pager"}, time.Second); err == nil || !strings.Contains(err.Error(), "launchwatch-no-such-pager") {
		t.Errorf("err = %v, want the program named", err)
	}
}

// frames feeds a dispatcher from a pipeline, as the command line wires it.
type frames struct{ d *Dispatcher }

func (f frames) TakeFrame(fr pipeline.Frame) { f.d.Observe(fr.Snapshot.Time, fr.Problems) }
func (f frames) Close()                      { f.d.Close() }

// scripted hands out the scripted launch, one snapshot a poll.
type scripted struct {
	snaps []snapshot.Snapshot
	n     int
}

func (s *scripted) Poll(context.Context) snapshot.Snapshot {
	snap := s.snaps[min(s.n, len(s.snaps)-1)].Clone()
	snap.Time = launchtest.T0.Add(time.Duration(s.n-30) * time.Second)
	s.n++
	return snap
}

func (s *scripted) Now() time.Time { return launchtest.T0 }

func TestAHangingCommandNeitherHoldsThePipelineNorOutlivesItsTimeout(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	// The script starts a child that outlives it unless the whole group
	// is killed, writes the child's pid, and waits forever.
	hang := script(t, `sleep 600 & echo $! >> "$1"; cat >/dev/null; wait`)
	const timeout = 3 * time.Second
	c, err := NewCommand([]string{hang, pidFile}, timeout)
	if err != nil {
		t.Fatal(err)
	}
	d := mustNew(t, Options{Launch: "test", Routes: []Route{{Sink: c, Concurrency: 1}}, Grace: 100 * time.Millisecond})
	p := pipeline.New(pipeline.Options{Producer: &scripted{snaps: launchtest.Snapshots(200, time.Second)}, Interval: 5 * time.Millisecond, Plan: launchtest.Plan()})
	p.AddFrameSink(frames{d})
	sub := p.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()

	// The scripted launch opens problems; the first alert starts the
	// command, which hangs.
	pid, err := strconv.Atoi(strings.Fields(waitFile(t, pidFile, 30*time.Second))[0])
	if err != nil {
		t.Fatal(err)
	}
	// While it hangs, frames keep coming.
	f, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	from := f.Seq
	for f.Seq < from+20 {
		nctx, ncancel := context.WithTimeout(ctx, 10*time.Second)
		f, err = sub.Next(nctx)
		ncancel()
		if err != nil {
			t.Fatalf("the pipeline stalled at frame %d while the alert command hung: %v", f.Seq, err)
		}
	}
	if !alive(pid) {
		t.Fatalf("the command's child %d ended before its timeout", pid)
	}
	// At its timeout the command is killed with its child, and the
	// failure is visible.
	deadline := time.Now().Add(timeout + 10*time.Second)
	for time.Now().Before(deadline) && (alive(pid) || d.Status()[0].Failed == 0) {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(pid) {
		t.Errorf("the hanging command's child %d outlived the timeout", pid)
	}
	st := d.Status()[0]
	if st.Failed == 0 || !strings.Contains(st.LastError, "killed at its 3s timeout") {
		t.Errorf("status %+v: want the kill counted and said", st)
	}
	cancel()
	if err := <-ran; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
}

// A program that takes the alert and exits 0, leaving a child that holds
// its output open, delivered the alert: the child is the timeout's to end.
func TestACommandThatExitsZeroLeavingAChildDelivered(t *testing.T) {
	c, err := NewCommand([]string{script(t, "cat >/dev/null\n(sleep 3) &\nexit 0")}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Send(context.Background(), newAlert(Opened, "Winter drop", problem(events.KindErrors, "", events.Crit, 0, "x"), t0)); err != nil {
		t.Errorf("a run that exited 0 failed: %v", err)
	}
}

// An acknowledgement given on a screen (Pipeline.Acknowledge, what the
// `a` key calls) reaches a command once, as "acknowledged", with who
// gave it.
func TestACommandIsToldOnceOfAnAcknowledgementGivenOnAScreen(t *testing.T) {
	out := filepath.Join(t.TempDir(), "alerts.jsonl")
	c, err := NewCommand([]string{script(t, `cat >> "$1"`), out}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	d := mustNew(t, Options{Launch: "test", Routes: []Route{{Sink: c}}})
	p := pipeline.New(pipeline.Options{Producer: &scripted{snaps: launchtest.Snapshots(200, time.Second)}, Interval: 5 * time.Millisecond, Plan: launchtest.Plan()})
	p.AddFrameSink(frames{d})
	sub := p.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- p.Run(ctx) }()

	// Past the script's end its last snapshot repeats: what stands then
	// stands for good.
	next := func() pipeline.Frame {
		t.Helper()
		nctx, ncancel := context.WithTimeout(ctx, 10*time.Second)
		defer ncancel()
		f, err := sub.Next(nctx)
		if err != nil {
			t.Fatalf("no frame: %v", err)
		}
		return f
	}
	f := next()
	for f.Seq < 210 {
		f = next()
	}
	if len(f.Problems) == 0 {
		t.Fatal("the scripted launch ends with no problem standing: nothing to acknowledge")
	}
	key := f.Problems[0].Key()
	told := func(state State) []Alert {
		b, _ := os.ReadFile(out)
		var got []Alert
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var a Alert
			if json.Unmarshal([]byte(l), &a) == nil && a.Key() == key && a.State == state {
				got = append(got, a)
			}
		}
		return got
	}
	waitTold := func(state State) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for len(told(state)) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the command was not told %s %s", key, state)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitTold(Opened)
	if len(told(Acknowledged)) != 0 {
		t.Fatalf("%s was told acknowledged before anyone acknowledged it", key)
	}
	if err := p.Acknowledge(key, "alice@war-room"); err != nil {
		t.Fatal(err)
	}
	waitTold(Acknowledged)
	// It stays acknowledged for many more frames: told once.
	for from := next().Seq; f.Seq < from+20; {
		f = next()
	}
	cancel()
	if err := <-ran; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	acks := told(Acknowledged)
	if len(acks) != 1 || acks[0].Ack == nil || acks[0].Ack.By != "alice@war-room" || acks[0].ProblemID != told(Opened)[0].ProblemID ||
		!strings.HasPrefix(acks[0].Text, "Acknowledged by alice@war-room · ") {
		t.Errorf("told %+v, want one acknowledgement by alice of the problem opened", acks)
	}
	if st := d.Status()[0]; st.Lost() != 0 {
		t.Errorf("status %+v", st)
	}
}
