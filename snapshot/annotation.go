package snapshot

import "time"

// Annotation is a note laid on a moment of a launch: "deploy 1.4.2" at
// T+05:00. People add them (`launchwatch annotate`, the m key of watch and
// replay); a Grafana or a Prometheus the config names may supply them too.
// A live one rides in the next snapshot the pipeline takes
// (Snapshot.Annotations), so every screen sees it and the recording keeps
// it; a recording holds each as a line of its own (see package recording).
type Annotation struct {
	// At is the moment the note marks.
	At time.Time `json:"at"`
	// Text is the note, cleaned for a terminal and at most MaxAnnotationText
	// characters.
	Text string `json:"text"`
	// By says who or what laid it: a person ("alice@war-room"), or the
	// source it was read from ("grafana", "prometheus").
	By string `json:"by,omitempty"`
}

// MaxAnnotationText bounds an annotation's text; MaxAnnotationBy its By.
const (
	MaxAnnotationText = 200
	MaxAnnotationBy   = 80
)

// Clean returns a with its text cleaned for a terminal and capped.
func (a Annotation) Clean() Annotation {
	a.Text = CleanText(a.Text, MaxAnnotationText)
	a.By = CleanText(a.By, MaxAnnotationBy)
	return a
}
