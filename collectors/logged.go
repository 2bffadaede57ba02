package collectors

import (
	"context"
	"log/slog"
	"time"

	"github.com/launchwatch/launchwatch/collectors/source"
)

// Logged decorates a source so each failed or slow collection is logged;
// logs go to a file, never to the screen.
func Logged(src source.Source, log *slog.Logger) source.Source {
	if log == nil {
		return src
	}
	return &loggedSource{Source: src, log: log}
}

type loggedSource struct {
	source.Source
	log *slog.Logger
}

func (l *loggedSource) Collect(ctx context.Context, now time.Time) (source.Result, error) {
	start := time.Now()
	res, err := l.Source.Collect(ctx, now)
	took := time.Since(start)
	switch {
	case err != nil:
		l.log.Warn("collect failed", "source", l.Name(), "took", took, "err", err)
	case len(res.Warnings) > 0:
		l.log.Info("collect warnings", "source", l.Name(), "took", took, "warnings", res.Warnings)
	default:
		l.log.Debug("collected", "source", l.Name(), "took", took, "values", len(res.Values))
	}
	return res, err
}
