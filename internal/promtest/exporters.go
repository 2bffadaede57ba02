package promtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// StartNginx starts nginx on a free loopback port with stub_status at
// /stub_status and a 200 at /, in the foreground with its files in a
// temporary directory, and returns once /stub_status answers.
func StartNginx(t testing.TB) *Server {
	t.Helper()
	bin := binary(t, "nginx", "LAUNCHWATCH_NGINX_BIN")
	dir := t.TempDir()
	return start(t, "nginx", "/stub_status", func(addr string) *exec.Cmd {
		conf := filepath.Join(dir, "nginx.conf")
		body := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  keepalive_timeout 75s;
  server {
    listen %[2]s;
    location = /stub_status { stub_status; }
    location / { return 200 "ok\n"; }
  }
}
`, dir, addr)
		if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return exec.Command(bin, "-e", "stderr", "-p", dir, "-c", conf)
	})
}

// StartNginxExporter starts prometheus-nginx-exporter reading nginx's
// stub_status, and returns once its /metrics answers.
func StartNginxExporter(t testing.TB, nginx *Server) *Server {
	t.Helper()
	bin := binary(t, "prometheus-nginx-exporter", "LAUNCHWATCH_NGINX_EXPORTER_BIN")
	return start(t, "prometheus-nginx-exporter", "/metrics", func(addr string) *exec.Cmd {
		return exec.Command(bin, "-nginx.scrape-uri="+nginx.URL+"/stub_status", "-web.listen-address="+addr)
	})
}

// StartNodeExporter starts prometheus-node-exporter with the collectors
// the nginx-node preset reads, and the flags in extra (such as
// "--collector.netdev.device-exclude=", which makes Debian's build export
// loopback as upstream's does), and returns once its /metrics answers.
func StartNodeExporter(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin := binary(t, "prometheus-node-exporter", "LAUNCHWATCH_NODE_EXPORTER_BIN")
	return start(t, "prometheus-node-exporter", "/metrics", func(addr string) *exec.Cmd {
		args := []string{"--web.listen-address=" + addr, "--collector.disable-defaults",
			"--collector.cpu", "--collector.meminfo", "--collector.loadavg", "--collector.netdev",
			"--collector.netstat", "--collector.sockstat"}
		return exec.Command(bin, append(args, extra...)...)
	})
}
