package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/launchwatch/launchwatch/collectors"
	"github.com/launchwatch/launchwatch/config"
)

// configCheckOnline runs every query and scrape of cfg once (twice, an
// interval apart, for rates) and prints each signal's answer or what is
// wrong with it, and the detected scrape interval. Something wrong is exit
// 1; a figure that cannot exist for this config is a note, and passes.
func configCheckOnline(ctx context.Context, w io.Writer, cfg *config.Config) error {
	ctx, cancel := context.WithTimeout(ctx, 2*cfg.Interval+30*time.Second)
	defer cancel()
	rep, err := collectors.CheckOnline(ctx, cfg, nil)
	if err != nil {
		return err
	}
	if err := rep.WriteText(w); err != nil {
		return err
	}
	if n := rep.Problems(); n > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%s: %d problem(s) found online", cfg.File, n)}
	}
	if n := rep.Notes(); n > 0 {
		fmt.Fprintf(w, "# %s: every signal answered that can under this config; %d note(s).\n", cfg.File, n)
		return nil
	}
	fmt.Fprintf(w, "# %s: every signal answered.\n", cfg.File)
	return nil
}
