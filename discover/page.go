package discover

import (
	"context"
	"fmt"

	"github.com/launchwatch/launchwatch/probe"
)

// Page is the sale page's weight as one probe measured it: the plan's
// resources per page and their mean size.
type Page struct {
	URL string
	// Resources is how many resources the page pulls that were sized;
	// Bytes their total.
	Resources int
	Bytes     int64
	// Button says whether the purchase button (#buy) was on the page.
	Button bool
}

// ResourceSize is the mean size of a resource, in bytes; 0 with none.
func (p Page) ResourceSize() int64 {
	if p.Resources == 0 {
		return 0
	}
	return p.Bytes / int64(p.Resources)
}

// ProbePage weighs the sale page once, as `launchwatch probe` does.
func ProbePage(ctx context.Context, url string) (*Page, error) {
	pr, err := probe.New(probe.Options{URL: url})
	if err != nil {
		return nil, err
	}
	res, err := pr.Run(ctx)
	if err != nil {
		return nil, fmt.Errorf("probe %s: %w", clean(url), err)
	}
	bytes, sized := res.ResourceBytes()
	return &Page{URL: url, Resources: sized, Bytes: bytes, Button: res.Button.Present}, nil
}
