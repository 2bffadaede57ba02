package promtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// StartPrometheusWith imports OpenMetrics text (ending in "# EOF") into
// TSDB blocks with `promtool tsdb create-blocks-from openmetrics` and
// starts Prometheus on them (StartPrometheusOn).
func StartPrometheusWith(t testing.TB, openMetrics string) *Server {
	t.Helper()
	promtool := binary(t, "promtool", "LAUNCHWATCH_PROMTOOL_BIN")
	dir := t.TempDir()
	file, blocks := filepath.Join(dir, "import.om.txt"), filepath.Join(dir, "data")
	if err := os.WriteFile(file, []byte(openMetrics), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", file, blocks).CombinedOutput(); err != nil {
		t.Fatalf("promtool: %v\n%s", err, out)
	}
	return StartPrometheusOn(t, blocks)
}

// DeployInfo is an OpenMetrics gauge family of a shop's deploys, a sample
// every 15 s: deploy_info{service="shop",version="1.4.1"} 1 from base to
// minute 10, and version 1.4.2 from minute 5 to minute 10. It ends without
// "# EOF", for more families to follow.
func DeployInfo(base time.Time) string {
	var om strings.Builder
	om.WriteString("# TYPE deploy_info gauge\n")
	for _, v := range []struct {
		version  string
		from, to time.Duration
	}{{"1.4.1", 0, 10 * time.Minute}, {"1.4.2", 5 * time.Minute, 10 * time.Minute}} {
		for d := v.from; d <= v.to; d += 15 * time.Second {
			fmt.Fprintf(&om, "deploy_info{service=\"shop\",version=%q} 1 %d\n", v.version, base.Add(d).Unix())
		}
	}
	return om.String()
}

// StartDeployPrometheus starts a real Prometheus (StartPrometheusWith)
// holding, from base (two hours ago, on the minute) to minute 10,
// DeployInfo and a shop's PV, a gauge shop_pv sampled every 15 s: before
// until minute 5 (when 1.4.2 rises), after from it. It returns the server
// and base.
func StartDeployPrometheus(t testing.TB, before, after float64) (*Server, time.Time) {
	t.Helper()
	base := time.Now().Add(-2 * time.Hour).Truncate(time.Minute).UTC()
	var om strings.Builder
	om.WriteString(DeployInfo(base))
	om.WriteString("# TYPE shop_pv gauge\n")
	for d := time.Duration(0); d <= 10*time.Minute; d += 15 * time.Second {
		pv := before
		if d >= 5*time.Minute {
			pv = after
		}
		fmt.Fprintf(&om, "shop_pv %g %d\n", pv, base.Add(d).Unix())
	}
	om.WriteString("# EOF\n")
	return StartPrometheusWith(t, om.String()), base
}
