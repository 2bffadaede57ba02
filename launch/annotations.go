package launch

import (
	"context"
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

// startNotes reads the config's annotations (see noteReaders) once a
// frame, on a goroutine of its own so a slow server never holds a frame,
// and lays each note through the pipeline: the next snapshot carries it
// to every screen and the recording. Nothing without a reader.
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
				for _, n := range notes {
					if err := p.Annotate(n.At, n.Text, n.By); err != nil {
						log.Warn("annotation not laid", "text", n.Text, "by", n.By, "err", err)
					}
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
