package collectors

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/launchwatch/launchwatch/config"
)

func TestCheckOnlineNamesEmptyResultsUnknownMetricsAndTheScrapeInterval(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.FormValue("query")
		w.Header().Set("Content-Type", "application/json")
		empty := `{"status":"success","data":{"resultType":"vector","result":[]}}`
		switch {
		case strings.HasSuffix(q, "[60s]"):
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"2"],[3,"3"],[4,"4"]]}]}}`)
		case strings.Contains(q, "shop_page_views_totl"), q == "count(shop_page_views_totl)":
			fmt.Fprint(w, empty)
		default:
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"7"]}]}}`)
		}
	}))
	t.Cleanup(srv.Close)
	cfg, err := config.Parse("online.yaml", []byte(`launch: {name: online}
interval: 100ms
sources:
  prometheus: {url: `+srv.URL+`}
signals:
  pv: {query: "sum(rate(shop_page_views_totl[$__rate_interval]))"}
  stock: {query: "sum(shop_stock_remaining)"}
`))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep, err := CheckOnline(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ScrapeInterval != time.Second || rep.RateWindow != 4*time.Second || !strings.Contains(rep.ScrapeHow, "median gap") {
		t.Errorf("scrape %s (%s), window %s; want 1s detected, 4s", rep.ScrapeInterval, rep.ScrapeHow, rep.RateWindow)
	}
	got := map[string]CheckLine{}
	for _, l := range rep.Lines {
		got[l.Signal] = l
	}
	if p := got["pv"].Problem; !strings.Contains(p, "empty result") || !strings.Contains(p, "unknown metric shop_page_views_totl") {
		t.Errorf("pv problem = %q, want the empty result and the unknown metric named", p)
	}
	if l := got["stock"]; l.Problem != "" || l.Value.Or(-1) != 7 {
		t.Errorf("stock = %+v, want 7 and no problem", l)
	}
	if rep.Problems() != 1 {
		t.Errorf("%d problems, want 1", rep.Problems())
	}
}
