package launch

import (
	"context"
	"log/slog"
	"sync"

	"github.com/launchwatch/launchwatch/collectors/prom"
	"github.com/launchwatch/launchwatch/config"
	"github.com/launchwatch/launchwatch/pipeline"
)

// startNotes reads the config's Prometheus annotations (annotations.
// prometheus) once a frame, on a goroutine of its own so a slow server
// never holds a frame, and lays each note through the pipeline: the next
// snapshot carries it to every screen and the recording. Nothing without
// the block.
func startNotes(p *pipeline.Pipeline, cfg *config.Config, log *slog.Logger) error {
	a := cfg.Annotations
	if a == nil || a.Prometheus == nil || cfg.Sources.Prometheus == nil {
		return nil
	}
	src, err := prom.New(cfg.Sources.Prometheus, nil, prom.Interval(cfg.Interval), prom.Logger(log))
	if err != nil {
		return err
	}
	r := src.NoteReader(a.Prometheus.Query, a.Prometheus.TextLabel)
	ctx, cancel := context.WithCancel(context.Background())
	s := &noteSink{kick: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	// The reader starts with the first frame: a watch that fails to start,
	// whose pipeline never runs, leaves no goroutine behind.
	s.start = func() {
		defer close(s.done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.kick:
			}
			notes, err := r.Read(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("annotations from prometheus", "err", err)
				}
				continue
			}
			for _, n := range notes {
				if err := p.Annotate(n.At, n.Text, n.By); err != nil {
					log.Warn("annotation from prometheus not laid", "text", n.Text, "err", err)
				}
			}
		}
	}
	p.AddFrameSink(s)
	return nil
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
