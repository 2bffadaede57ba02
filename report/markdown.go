package report

import (
	"bufio"
	"io"
	"strings"
)

// WriteMarkdown writes the report as Markdown (GitHub's tables). Text from
// the recording is cleaned of control characters and its table pipes and
// inline formatting escaped.
func (r *Report) WriteMarkdown(w io.Writer) error { return writeMarkdown(w, r.view()) }

// writeMarkdown writes the Markdown of view v.
func writeMarkdown(w io.Writer, v view) error {
	bw := &mdWriter{bufio.NewWriter(w)}
	bw.put("# " + md(v.Title) + "\n\n")
	for _, it := range v.Meta {
		bw.put("- **" + md(it.Key) + "**: " + md(it.Text) + "\n")
	}
	for _, s := range v.Sections {
		bw.put("\n## " + md(s.Title) + "\n")
		for _, p := range s.Paras {
			bw.put("\n" + md(p) + "\n")
		}
		if len(s.Items) > 0 {
			bw.put("\n")
			for _, it := range s.Items {
				bw.put("- **" + md(it.Key) + "**: " + md(it.Text) + "\n")
			}
		}
		for _, t := range s.Tables {
			bw.put("\n")
			writeMarkdownTable(bw, t)
		}
	}
	return bw.Flush()
}

func writeMarkdownTable(bw *mdWriter, t table) {
	if t.Intro != "" {
		bw.put(md(t.Intro) + "\n\n")
	}
	row := func(cells []string) {
		esc := make([]string, len(cells))
		for i, c := range cells {
			esc[i] = md(c)
		}
		bw.put("| " + strings.Join(esc, " | ") + " |\n")
	}
	row(t.Head)
	bw.put(strings.Repeat("| --- ", len(t.Head)) + "|\n")
	for _, r := range t.Rows {
		row(r)
	}
}

// mdWriter writes through a bufio.Writer, which keeps the first error and
// returns it from Flush: the writes themselves need no check.
type mdWriter struct{ *bufio.Writer }

func (w *mdWriter) put(s string) { _, _ = w.WriteString(s) }
