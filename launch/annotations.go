package launch

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/launchwatch/launchwatch/collectors/grafana"
	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/pipeline"
	"github.com/launchwatch/launchwatch/snapshot"
)

// noteReader reads the annotations made since its last read.
type noteReader interface {
	Read(ctx context.Context) ([]snapshot.Annotation, error)
}

// noteReaders are the config's annotation readers: a Prometheus query
// (annotations.prometheus) and Grafana's API (annotations.grafana).
func noteReaders(cfg *config.Config, log *slog.Logger) ([]noteReader, error) {
	a := cfg.Annotations
	if a == nil {
		return nil, nil
	}
	var out []noteReader
	if a.Prometheus != nil && cfg.Sources.Prometheus != nil {
		src, err := prom.New(cfg.Sources.Prometheus, nil, prom.Interval(cfg.Interval), prom.Logger(log))
		if err != nil {
			return nil, err
		}
		out = append(out, src.NoteReader(a.Prometheus.Query, a.Prometheus.TextLabel))
	}
	if a.Grafana != nil {
		g, err := grafana.New(a.Grafana, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// maxQueuedNotes bounds the notes read and not yet laid: above a read's
// most (grafana's 20 pages of 500), so only a flood past it loses any.
const maxQueuedNotes = 20_000

// startNotes reads the config's annotations (see noteReaders) once a
// frame, on a goroutine of its own so a slow server never holds a frame,
// and lays each note through the pipeline: the next snapshot carries it
// to every screen and the recording. The pipeline holds a bounded number
// of notes for the next snapshot, so a read of more (the first read of a
// busy Grafana hour) is laid over the frames that follow, in time order,
// none lost but past maxQueuedNotes waiting or a note refused for itself
// (see noteQueue.lay), each logged. Nothing without a reader.
func startNotes(p *pipeline.Pipeline, cfg *config.Config, log *slog.Logger) error {
	readers, err := noteReaders(cfg, log)
	if err != nil || len(readers) == 0 {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &noteSink{kick: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	// The reader starts with the first frame: a watch that fails to start,
	// whose pipeline never runs, leaves no goroutine behind.
	s.start = func() {
		defer close(s.done)
		var q noteQueue
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.kick:
			}
			for _, r := range readers {
				// A read that failed part way, or was cut short, returns
				// what it read before: laid, and the error warned of.
				notes, err := r.Read(ctx)
				if err != nil && ctx.Err() == nil {
					log.Warn("reading annotations", "err", err)
				}
				q.add(notes, log)
			}
			if !q.lay(p, log) {
				return
			}
		}
	}
	p.AddFrameSink(s)
	return nil
}

// noteQueue holds the notes read and not yet laid.
type noteQueue struct {
	notes []snapshot.Annotation
}

func (q *noteQueue) add(notes []snapshot.Annotation, log *slog.Logger) {
	q.notes = append(q.notes, notes...)
	if over := len(q.notes) - maxQueuedNotes; over > 0 {
		log.Warn("annotations dropped: more wait to be laid than are kept", "dropped", over, "kept", maxQueuedNotes)
		q.notes = q.notes[over:]
	}
}

// lay lays the queued notes through the pipeline until it holds as many
// as it takes before its next snapshot (pipeline.ErrNotesFull); the rest
// wait for a later frame, however many frames that takes, for the
// pipeline takes them all with its next snapshot. A note refused for
// itself (no text, no time: refused again at every frame) is dropped with
// a warning, so it cannot hold the others. It reports false once the
// pipeline is closed.
func (q *noteQueue) lay(p *pipeline.Pipeline, log *slog.Logger) bool {
	for len(q.notes) > 0 {
		n := q.notes[0]
		err := p.Annotate(n.At, n.Text, n.By)
		switch {
		case errors.Is(err, pipeline.ErrNotesFull):
			return true
		case errors.Is(err, pipeline.ErrClosed):
			return false
		case err != nil:
			log.Warn("annotation not laid", "text", n.Text, "by", n.By, "err", err)
		}
		q.notes = q.notes[1:]
	}
	q.notes = nil // let a long queue's array go
	return true
}

// noteSink kicks the reader at each frame; a kick while it reads waits
// for the next frame, so reads never pile up.
type noteSink struct {
	kick    chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}
	start   func()
	started sync.Once
}

func (s *noteSink) TakeFrame(pipeline.Frame) {
	s.started.Do(func() { go s.start() })
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *noteSink) Close() {
	s.cancel()
	s.started.Do(func() { close(s.done) }) // never started: nothing to wait for
	<-s.done
}
