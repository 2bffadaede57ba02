package probe

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/launchwatch/launchwatch/capacity"
)

// page is a probed sale page of n images of size bytes each, from the CDN
// or the origin, with or without its button.
func page(button bool, n int, size int64, cdn bool) Result {
	r := Result{URL: "https://shop.example/sale", Status: 200,
		Page:   Resource{URL: "https://shop.example/sale", Kind: "page", Status: 200, Bytes: 2000, Known: true, ContentType: "text/html", Encoding: "gzip"},
		Button: Button{Selector: "#buy", Present: button}}
	if !button {
		r.Button.Why = "no element matches #buy"
	}
	for i := range n {
		r.Resources = append(r.Resources, Resource{URL: fmt.Sprintf("https://shop.example/img-%02d.png", i), Kind: KindImage, Status: 200,
			Bytes: size, Known: true, ContentType: "image/png", CDN: cdn})
	}
	return r
}

func TestTheAuditGatesOnTheButtonThenOnTheLinkThePageTakes(t *testing.T) {
	// The demo's plan: 200 PV/s, a 1 MB page, 90% from the CDN, a 1 Gbit/s
	// link.
	plan := capacity.Plan{PeakPV: 200, ResourcesPerPage: 20, ResourceSize: 50e3, DownloadSpeed: 200e3, CDNShare: 0.9, Limits: capacity.Limits{Link: 125e6}}
	noLink := plan
	noLink.Limits = capacity.Limits{}
	th := capacity.DefaultThresholds()
	for _, tc := range []struct {
		name    string
		res     Result
		err     error
		opts    AuditOptions
		status  int
		verdict string
	}{
		{"a page that does not answer is not probed", Result{}, errors.New("the page answered 502 Bad Gateway"), AuditOptions{Plan: &plan, Thresholds: th}, ExitButton,
			"NOT PROBED: the page answered 502 Bad Gateway"},
		{"a missing button wins over a heavy page", page(false, 20, 500e3, false), nil, AuditOptions{Plan: &plan, Thresholds: th, CDNNamed: true}, ExitButton,
			"BUTTON MISSING: no element matches #buy; OVER PLAN: at the planned peak of 200 PV/s"},
		{"a heavy page from the origin is over the plan", page(true, 20, 500e3, false), nil, AuditOptions{Plan: &plan, Thresholds: th, CDNNamed: true}, ExitOverPlan,
			"OVER PLAN: at the planned peak of 200 PV/s the page's 10 MB from the origin a view takes 1600.3% of the 1 Gbit/s link, over the 95% critical line; the link fills at 12.5 PV/s"},
		{"the same page from the CDN is within it, ten times the plan's weight or not", page(true, 20, 500e3, true), nil, AuditOptions{Plan: &plan, Thresholds: th, CDNNamed: true}, ExitOK,
			"OK: the purchase button is present; within the plan: at the planned peak of 200 PV/s the page's 2 KB from the origin a view takes 0.3% of the 1 Gbit/s link, under the 80% warning line"},
		{"with no link the weight is information", page(true, 20, 500e3, false), nil, AuditOptions{Plan: &noLink, Thresholds: th, CDNNamed: true}, ExitOK,
			"OK: the purchase button is present; the page weighs 10 MB, 10x the plan's 1 MB page: information, with no link limit to hold it against"},
		{"without a plan the button alone is judged", page(true, 20, 500e3, false), nil, AuditOptions{Thresholds: th}, ExitOK,
			"OK: the purchase button is present"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAudit(tc.res, tc.err, tc.opts)
			if a.ExitStatus != tc.status || !strings.HasPrefix(a.Verdict, tc.verdict) {
				t.Errorf("exit %d, %q\nwant %d, %q", a.ExitStatus, a.Verdict, tc.status, tc.verdict)
			}
			if (a.Plan != nil) != (tc.opts.Plan != nil && tc.err == nil) {
				t.Errorf("plan = %+v, want one exactly when there is a plan and a page", a.Plan)
			}
		})
	}
}

func TestTheCDNShareCountsOnlyWhenCDNHostsAreNamed(t *testing.T) {
	plan := capacity.Plan{PeakPV: 200, ResourcesPerPage: 20, ResourceSize: 50e3, DownloadSpeed: 200e3, CDNShare: 0.9, Limits: capacity.Limits{Link: 125e6}}
	// Nothing named: nothing counts as CDN, so the plan's 90% stands.
	a := NewAudit(page(true, 20, 50e3, false), nil, AuditOptions{Plan: &plan, Thresholds: capacity.DefaultThresholds()})
	if a.CDNShare != nil || a.Plan.Origin.Or(0) != 100.2e3 {
		t.Errorf("cdn share %v, origin %v: want none named and the plan's share", a.CDNShare, a.Plan.Origin)
	}
	a = NewAudit(page(true, 20, 50e3, false), nil, AuditOptions{Plan: &plan, Thresholds: capacity.DefaultThresholds(), CDNNamed: true})
	if a.CDNShare == nil || *a.CDNShare != 0 || a.Plan.Origin.Or(0) != 1002e3 || a.Plan.AsItIs.CDNShare != 0 {
		t.Errorf("cdn share %v, origin %v, as it is %v: want the measured 0%%", a.CDNShare, a.Plan.Origin, a.Plan.AsItIs.CDNShare)
	}
}

func TestTheAdviceNamesTheBiggestWinsFirst(t *testing.T) {
	r := page(true, 7, 100e3, false)
	r.Resources[3].Bytes = 900e3
	r.Resources = append(r.Resources,
		Resource{URL: "https://shop.example/app.js", Kind: KindScript, Status: 200, Bytes: 300e3, Known: true, ContentType: "application/javascript"},
		Resource{URL: "https://shop.example/gone.png", Kind: KindImage, Status: 404, Known: true},
		Resource{URL: "https://cdn.example/logo.png", Kind: KindImage, Status: 200, Bytes: 5e3, Known: true, CDN: true})
	r.LeftOut = 3
	got := NewAudit(r, nil, AuditOptions{}).Advice
	want := []string{
		"compress (gzip or brotli) 300 KB sent uncompressed: https://shop.example/app.js",
		"move to the CDN 8 resources, 1.8 MB from the origin: https://shop.example/img-03.png, https://shop.example/app.js, " +
			"https://shop.example/img-00.png, https://shop.example/img-01.png, https://shop.example/img-02.png, and 3 more",
		"fix 1 failing resources: https://shop.example/gone.png",
		"3 more resources past the cap were not weighed: raise max_resources to see them",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("advice:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
