package discover

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/config"
)

//go:embed launchwatch.yaml.tmpl
var fileTemplate string

var tmpl = template.Must(template.New("launchwatch.yaml").Funcs(template.FuncMap{
	"q":        quote,
	"redact":   redact,
	"bytes":    func(n int64) string { return strings.ReplaceAll(capacity.FormatBytes(float64(n)), " ", "") },
	"join":     strings.Join,
	"duration": func(d time.Duration) string { return d.String() },
	"custom":   func(label string) bool { return label != "" && label != config.DefaultCodeLabel },
}).Parse(fileTemplate))

// view is what the template reads: the result and the file's name.
type view struct {
	*Result
	File string
	// Heads are each signal's heading: the source, when it changes.
	Heads []string
}

// Render writes the commented launchwatch.yaml for r; file is the name
// it will be written under, named in the commands the header gives.
func Render(r *Result, file string) ([]byte, error) {
	v := view{Result: r, File: file}
	for i, ch := range r.Signals {
		h := ""
		if i == 0 || r.Signals[i-1].From != ch.From || r.Signals[i-1].Preset != ch.Preset {
			h = "From " + ch.From
			if ch.Preset != "" {
				h += ", the " + ch.Preset + " preset's "
				if ch.Query != "" {
					h += "queries"
				} else {
					h += "expressions"
				}
			}
			h += ":"
		}
		v.Heads = append(v.Heads, h)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("render %s: %w", file, err)
	}
	return b.Bytes(), nil
}

// quote writes s as one YAML scalar: plain where YAML reads it back as
// the same string, quoted where it would not.
func quote(s string) (string, error) {
	out, err := yaml.Marshal(s)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(out), "\n"), nil
}

// WriteSummary prints what was read and found, what is missing, and the
// commands to run next.
func (r *Result) WriteSummary(w io.Writer, file string) error {
	var b strings.Builder
	from := redact(r.Prometheus)
	if from == "" {
		ts := make([]string, len(r.Targets))
		for i, t := range r.Targets {
			ts[i] = redact(t)
		}
		from = strings.Join(ts, ", ")
	}
	fmt.Fprintf(&b, "Read %s.\n", clean(from))
	for _, j := range r.Jobs {
		fmt.Fprintf(&b, "  %s\n", j.Line())
	}
	for _, d := range r.Down {
		fmt.Fprintf(&b, "  %s did not answer: %s (written commented out)\n", clean(redact(d.URL)), d.Err)
	}
	if r.ScrapeInterval > 0 {
		fmt.Fprintf(&b, "  %s: %s\n", r.ScrapeHow, r.ScrapeInterval)
	}
	for _, f := range r.Found {
		fmt.Fprintf(&b, "Found %s.\n", f.Line())
	}
	if r.Fleet != "" {
		fmt.Fprintf(&b, "Fleet: %d servers by %s.\n", len(r.FleetServers), r.Fleet)
	}
	if note := devicesNote(r.DeviceRates); note != "" {
		fmt.Fprintf(&b, "Network: %s.\n", note)
	}
	if len(r.Missing) > 0 {
		miss := make([]string, len(r.Missing))
		for i, m := range r.Missing {
			miss[i] = m.Signal
		}
		fmt.Fprintf(&b, "Not found: %s (the file says what to add for each).\n", strings.Join(miss, ", "))
	}
	if r.Page != nil {
		fmt.Fprintf(&b, "Page %s: %d resources, %s.\n", clean(r.Page.URL), r.Page.Resources, capacity.FormatBytes(float64(r.Page.Bytes)))
	}
	fmt.Fprintf(&b, "\nWrote %s. Next:\n  launchwatch config check --online %s\n  launchwatch watch -c %s\n", file, file, file)
	_, err := io.WriteString(w, b.String())
	return err
}

// Line says what was found and what it answers, for the summary and the
// file's head.
func (f Found) Line() string {
	s := fmt.Sprintf("%s (%d server%s)", f.Name, f.Servers, plural(f.Servers))
	if len(f.Signals) == 0 {
		return s + ": " + f.Unused
	}
	return s + ": " + strings.Join(f.Signals, ", ")
}

// Line says how many of the job's targets answer.
func (j Job) Line() string {
	return fmt.Sprintf("job %s: %d of %d targets up", clean(j.Name), j.Up, j.All)
}

// redact hides a URL's password.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
