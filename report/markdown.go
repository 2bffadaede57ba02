package report

import (
	"bufio"
	"io"
	"strings"
)

// WriteMarkdown writes the report as Markdown (GitHub's tables). Text from
// the recording is cleaned of control characters and its table pipes and
// inline formatting escaped.
func (r *Report) WriteMarkdown(w io.Writer) error {
	v := r.view()
	bw := bufio.NewWriter(w)
	bw.WriteString("# " + md(v.Title) + "\n\n")
	for _, it := range v.Meta {
		bw.WriteString("- **" + md(it.Key) + "**: " + md(it.Text) + "\n")
	}
	for _, s := range v.Sections {
		bw.WriteString("\n## " + md(s.Title) + "\n")
		for _, p := range s.Paras {
			bw.WriteString("\n" + md(p) + "\n")
		}
		if len(s.Items) > 0 {
			bw.WriteString("\n")
			for _, it := range s.Items {
				bw.WriteString("- **" + md(it.Key) + "**: " + md(it.Text) + "\n")
			}
		}
		for _, t := range s.Tables {
			bw.WriteString("\n")
			writeMarkdownTable(bw, t)
		}
	}
	return bw.Flush()
}

func writeMarkdownTable(bw *bufio.Writer, t table) {
	row := func(cells []string) {
		esc := make([]string, len(cells))
		for i, c := range cells {
			esc[i] = md(c)
		}
		bw.WriteString("| " + strings.Join(esc, " | ") + " |\n")
	}
	row(t.Head)
	bw.WriteString(strings.Repeat("| --- ", len(t.Head)) + "|\n")
	for _, r := range t.Rows {
		row(r)
	}
}
