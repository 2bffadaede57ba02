package events

import "github.com/launchwatch/launchwatch/capacity"

// SubjectSalePage is the subject of the probe's problems about the page:
// its weight (KindPageWeight) and its resources (KindResource).
const SubjectSalePage = capacity.SubjectSalePage
