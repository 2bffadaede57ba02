package config

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestTheEffectiveConfigHidesThePasswordInEveryURL(t *testing.T) {
	cfg, err := Load("testdata/secrets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, secret) {
		t.Fatalf("a password is printed:\n%s", s)
	}
	for _, want := range []string{
		"url: https://launch:xxxxx@prometheus.example.internal:9090/prom",
		"proxy_url: http://proxy:xxxxx@proxy.example:3128",
		"- http://scraper:xxxxx@127.0.0.1:9400/metrics",
		"url: http://buyer:xxxxx@shop.example.com/sale",
		"password: <secret>",
		// Inside text: an alert's command line, a runbook link.
		"curl -fsS 'https://pager:xxxxx@hooks.example.com/launch' -d @-",
		"errors: https://wiki:xxxxx@wiki.example.com/runbooks/errors",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("effective config lacks %q:\n%s", want, s)
		}
	}
	// Printing must not change the config the sources are built from.
	if cfg.Sources.Prometheus.URL != "https://launch:"+secret+"@prometheus.example.internal:9090/prom" || cfg.Sources.Scrape.Targets[0] != "http://scraper:"+secret+"@127.0.0.1:9400/metrics" ||
		cfg.Alerts.Commands[0].Run[2] != "curl -fsS 'https://pager:"+secret+"@hooks.example.com/launch' -d @-" {
		t.Errorf("YAML redacted the config itself: %q %q %q", cfg.Sources.Prometheus.URL, cfg.Sources.Scrape.Targets, cfg.Alerts.Commands[0].Run)
	}
}

func TestRedactText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a password in a URL is hidden", "http://user:pw@host:9090/x", "http://user:xxxxx@host:9090/x"},
		{"a URL without a password is kept", "http://user@host/x", "http://user@host/x"},
		{"a URL without userinfo is kept", "http://host:9090/metrics", "http://host:9090/metrics"},
		{"a password with an @ in it is hidden whole", "http://u:p@ss@host", "http://u:xxxxx@host"},
		{"every URL in a message is redacted", `"http://a:b@h" and 'https://c:d@i/p'`, `"http://a:xxxxx@h" and 'https://c:xxxxx@i/p'`},
		{"an at sign after the path is not userinfo", "http://host/a:b@c", "http://host/a:b@c"},
		{"text without URLs is kept", "plan.download_speed: must be > 0", "plan.download_speed: must be > 0"},
		{"a scheme at the very end is kept", "see ://", "see ://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redactText(tt.in); got != tt.want {
				t.Errorf("redactText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzRedactText puts a URL with a password in any text and checks the
// password never comes out, in the text or alone.
func FuzzRedactText(f *testing.F) {
	f.Add("error: ", "u", "p", "h", " refused")
	f.Add("x://:@", "launch", "s3cr3t", "prometheus:9090", "'")
	f.Add("a://b:c@d", "e", "f@g", "g", "://@:")
	f.Fuzz(func(t *testing.T, prefix, user, pass, host, suffix string) {
		const delims = "/?#\"'` \t\n@:"
		switch {
		case pass == "" || strings.ContainsAny(pass, "/?#\"'` \t\n"),
			strings.ContainsAny(user, delims), strings.ContainsAny(host, delims) || host == "",
			strings.Contains(prefix+suffix, ":"+pass+"@"):
			t.Skip("not a URL with a password of its own")
		}
		secret := ":" + pass + "@" // the password where it stands
		text := prefix + " http://" + user + secret + host + "/ " + suffix
		if got := redactText(text); strings.Contains(got, secret) {
			t.Fatalf("redactText(%q) = %q keeps the password %q", text, got, pass)
		}
		raw := "http://" + user + secret + host + "/"
		if got := RedactURL(raw); strings.Contains(got, secret) {
			t.Fatalf("RedactURL(%q) = %q keeps the password %q", raw, got, pass)
		}
	})
}

// TestEveryStringOfAConfigIsPrintedWithoutItsPassword fills every string
// a Config holds (every field, slice item, map key and value, however deep,
// the HTTP client settings included) with a URL carrying a password, and
// checks the printed config shows none of them: a field added later is
// covered without this test naming it.
func TestEveryStringOfAConfigIsPrintedWithoutItsPassword(t *testing.T) {
	var cfg Config
	const withPassword = "see http://user:" + secret + "@host.example/path"
	n := fillStrings(reflect.ValueOf(&cfg).Elem(), withPassword, 0)
	if n < 50 {
		t.Fatalf("only %d strings filled: the walk misses fields", n)
	}
	if cfg.Alerts.Commands[0].Run[0] != withPassword || cfg.Sources.Scrape.Targets[0] != withPassword {
		t.Fatalf("the walk missed the commands or the targets: %+v", cfg.Alerts.Commands)
	}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), secret) {
		t.Fatalf("a password is printed:\n%s", out)
	}
	// The walk reached the printer: the strings are there, redacted.
	if c := strings.Count(string(out), "http://user:xxxxx@host.example/path"); c < 20 {
		t.Errorf("%d redacted URLs printed, want at least 20:\n%s", c, out)
	}
}

// fillStrings sets every settable string under v to s, allocating
// pointers and giving slices and maps one element, and returns how many
// it set. A url.URL gets s parsed. depth stops a recursive type.
func fillStrings(v reflect.Value, s string, depth int) int {
	if depth > 12 || !v.CanSet() {
		return 0
	}
	if v.Type() == reflect.TypeOf(url.URL{}) {
		u, err := url.Parse(strings.TrimPrefix(s, "see "))
		if err != nil {
			panic(err)
		}
		v.Set(reflect.ValueOf(*u))
		return 1
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
		return 1
	case reflect.Pointer:
		if v.Type().Elem().Kind() != reflect.Struct && v.Type().Elem().Kind() != reflect.String {
			return 0
		}
		v.Set(reflect.New(v.Type().Elem()))
		return fillStrings(v.Elem(), s, depth+1)
	case reflect.Struct:
		n := 0
		for i := range v.NumField() {
			n += fillStrings(v.Field(i), s, depth+1)
		}
		return n
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		return fillStrings(v.Index(0), s, depth+1)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		key := reflect.New(v.Type().Key()).Elem()
		n := fillStrings(key, s, depth+1)
		val := reflect.New(v.Type().Elem()).Elem()
		n += fillStrings(val, s, depth+1)
		m.SetMapIndex(key, val)
		v.Set(m)
		return n
	}
	return 0
}

func TestRedactSecretsHidesTheCredentialsACommandLineCarries(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"an Authorization header in a curl line", `curl -H 'Authorization: Bearer tok_LIVE_123' https://x.example`, `curl -H 'Authorization: Bearer xxxxx' https://x.example`},
		{"a bearer token alone", `--oauth2-bearer x Bearer abcdefgh12345`, `--oauth2-bearer x Bearer xxxxx`},
		{"a Slack webhook inside a command", `curl -d @- https://hooks.slack.com/services/T000/B000/SLACKSECRET`, `curl -d @- https://hooks.slack.com/xxxxx`},
		{"curl's --user", `curl -u ops:hunter2 https://x.example`, `curl -u ops:xxxxx https://x.example`},
		{"curl's --user=", `curl --user=ops:hunter2 https://x.example`, `curl --user=ops:xxxxx https://x.example`},
		{"a key in a query", `http://am.example:9093/?token=AMTOKEN&team=web#x`, `http://am.example:9093/?token=xxxxx&team=web#x`},
		{"an api_key in a link", `https://x.example/api?api_key=KEY_456`, `https://x.example/api?api_key=xxxxx`},
		{"a key header", `-H 'X-Api-Key: abc123'`, `-H 'X-Api-Key: xxxxx'`},
		{"a launch called Token drop is no secret", `Token drop at noon`, `Token drop at noon`},
		{"a PromQL query is left alone", `sum(rate(x{job="web",code=~"5.."}[1m]))`, `sum(rate(x{job="web",code=~"5.."}[1m]))`},
		{"an email and a git URL are left alone", `ops@shop.example git+ssh://git@host:22/repo`, `ops@shop.example git+ssh://git@host:22/repo`},
		{"a query without secrets is left alone", `https://grafana.example/d/abc?orgId=1&from=now-1h`, `https://grafana.example/d/abc?orgId=1&from=now-1h`},
		{"a URL that does not parse keeps no token", `https://x.example/%zz?token=abc`, `https://x.example/%zz?token=xxxxx`},
		{"a fragment's access token", `https://x.example/cb#access_token=abc&state=1`, `https://x.example/cb#access_token=xxxxx&state=1`},
		{"an environment variable on a command line", `PGPASSWORD=secret psql -h db`, `PGPASSWORD=xxxxx psql -h db`},
		{"a token variable", `GITHUB_TOKEN=ghp_abc gh issue create`, `GITHUB_TOKEN=xxxxx gh issue create`},
		{"an AWS key", `AWS_SECRET_ACCESS_KEY=abc/def aws sns publish`, `AWS_SECRET_ACCESS_KEY=xxxxx aws sns publish`},
		{"a long flag's password", `wget --password=hunter2 https://x.example`, `wget --password=xxxxx https://x.example`},
		{"curl's -uuser:pass", `curl -uops:hunter2 https://x.example`, `curl -uops:xxxxx https://x.example`},
		{"a quoted password with a quote inside", `curl -u "ops:pa'ss" https://x.example`, `curl -u "ops:xxxxx" https://x.example`},
		{"a single-quoted password", `curl --user 'ops:pa ss' https://x.example`, `curl --user 'ops:xxxxx' https://x.example`},
		{"a vault token header", `-H 'X-Vault-Token: s.abc123'`, `-H 'X-Vault-Token: xxxxx'`},
		{"a cookie header", `-H 'Cookie: session=abc123def'`, `-H 'Cookie: session=xxxxx'`},
		{"Grafana variables named like words that hold a secret word", `https://g.example/d/x?var-signal=pv&var-passenger=1&monkey=2&design=3&author=4&keyword=5&bypass=6`, `https://g.example/d/x?var-signal=pv&var-passenger=1&monkey=2&design=3&author=4&keyword=5&bypass=6`},
		{"a PromQL query's blackbox instance", `probe_success{instance="https://x.example/?design=x"}`, `probe_success{instance="https://x.example/?design=x"}`},
		{"prose about bearer tokens", `bearer authentication enabled`, `bearer authentication enabled`},
		{"prose after Authorization", `Authorization: see the runbook`, `Authorization: see the runbook`},
		{"docker's -u uid:gid", `docker run -u 1000:1000 img`, `docker run -u 1000:1000 img`},
		{"a Discord invite is no webhook", `https://discord.com/invite/shop`, `https://discord.com/invite/shop`},
		{"a Discord webhook", `https://discord.com/api/webhooks/123/abc`, `https://discord.com/xxxxx`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redactSecrets(tt.in); got != tt.want {
				t.Errorf("redactSecrets(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
