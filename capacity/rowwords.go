package capacity

// checkWords are the titles and recoveries of a check's two rows (its
// limit, its cost per view), joined from the check's name.
type checkWords struct{ limitTitle, limitBack, viewTitle, viewBack string }

// wordsOfCheck words a check's rows. The three checks' words are joined
// once here, not again for every frame judged (a day's report judges
// 86,400).
func wordsOfCheck(name string) checkWords {
	if w, ok := checksWords[name]; ok {
		return w
	}
	return joinCheckWords(name)
}

func joinCheckWords(name string) checkWords {
	return checkWords{
		limitTitle: name + " limit", limitBack: name + " back under its limit's warning level",
		viewTitle: name + " per view", viewBack: name + " per view back within the limit at the planned peak",
	}
}

var checksWords = map[string]checkWords{
	CheckBandwidth:   joinCheckWords(CheckBandwidth),
	CheckConnections: joinCheckWords(CheckConnections),
	CheckMemory:      joinCheckWords(CheckMemory),
}
