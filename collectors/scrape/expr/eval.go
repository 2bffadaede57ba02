package expr

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"sync"
)

// Evaluation of parsed scrape expressions over one poll's series.

func (m *matcher) matches(labels []Label) bool {
	v := ""
	for _, l := range labels {
		if l.Name == m.label {
			v = l.Value
			break
		}
	}
	switch m.op {
	case "=":
		return v == m.value
	case "!=":
		return v != m.value
	case "=~":
		return m.regexMatch(v)
	default: // "!~"
		return !m.regexMatch(v)
	}
}

// maxMemo bounds the regex answers a matcher remembers: label values
// repeat (a few codes over thousands of series, poll after poll), but a
// label of unbounded values must not grow the memo without end.
const maxMemo = 4096

// regexMemo remembers a regex matcher's answers by label value: a regex
// costs far more than a map lookup, and its answer for a value never
// changes. It is safe for concurrent evaluations.
type regexMemo struct {
	mu  sync.Mutex
	ans map[string]bool
}

// regexMatch runs a matcher's regex on v, or recalls its answer.
func (m *matcher) regexMatch(v string) bool {
	memo := m.memo
	memo.mu.Lock()
	ok, seen := memo.ans[v]
	memo.mu.Unlock()
	if seen {
		return ok
	}
	ok = m.re.MatchString(v)
	memo.mu.Lock()
	if memo.ans == nil {
		memo.ans = make(map[string]bool)
	}
	if len(memo.ans) < maxMemo {
		memo.ans[v] = ok
	}
	memo.mu.Unlock()
	return ok
}

// lookup returns every series of name, and false (with an error) when no
// target exposes name at all.
func (e *evaluation) lookup(name string) ([]Series, bool) {
	all, known := e.data[name]
	if !known {
		e.fail("no target exposes a metric named %s", name)
		return nil, false
	}
	return all, true
}

// keeps reports whether a series' labels pass the selector's matchers and
// the evaluation's restriction to one value (EvalBy).
func (n *selector) keeps(env *evaluation, labels []Label) bool {
	if env.only != nil && !env.only.matches(labels) {
		return false
	}
	for i := range n.matchers {
		if !n.matchers[i].matches(labels) {
			return false
		}
	}
	return true
}

func (n *number) eval(*evaluation) (float64, bool) { return n.v, true }

func (n *binary) eval(env *evaluation) (float64, bool) {
	l, lok := n.l.eval(env)
	r, rok := n.r.eval(env) // evaluated anyway, for its warnings
	if !lok || !rok {
		return 0, false
	}
	switch n.op {
	case '+':
		return l + r, true
	case '-':
		return l - r, true
	case '*':
		return l * r, true
	}
	if r == 0 {
		if l == 0 {
			return 0, true // an idle ratio: nothing failed out of nothing
		}
		env.warn("division by zero")
		return 0, false
	}
	return l / r, true
}

func (n *selector) eval(env *evaluation) (float64, bool) {
	all, ok := env.lookup(n.name)
	if !ok {
		return 0, false
	}
	sum := 0.0
	for i := range all {
		if n.keeps(env, all[i].Labels) {
			sum += all[i].Value
		}
	}
	return sum, true
}

func (n *sumCall) eval(env *evaluation) (float64, bool) { return n.sel.eval(env) }

// increase is a counter's increase since the previous poll; a drop is a
// reset, after which the counter counted up from zero.
func increase(s Series) float64 {
	if s.Value < s.Prev {
		return s.Value
	}
	return s.Value - s.Prev
}

// warmth tallies the series behind an increase: whether they can give
// one.
type warmth struct{ matched, withPrev, frozen int }

func (w *warmth) add(s *Series) {
	w.matched++
	if s.HasPrev {
		w.withPrev++
		if !(s.Elapsed > 0) {
			w.frozen++
		}
	}
}

// ok reports whether the series can give an increase: false with a
// warning when none has a previous value (warming up) or the clock did
// not advance. No series at all is an increase of 0.
func (w warmth) ok(env *evaluation) bool {
	switch {
	case w.frozen > 0:
		env.warn("clock did not advance since the previous poll")
		return false
	case w.matched > 0 && w.withPrev == 0:
		env.warn("warming up")
		return false
	}
	return true
}

func (n *rateCall) eval(env *evaluation) (float64, bool) {
	all, ok := env.lookup(n.sel.name)
	if !ok {
		return 0, false
	}
	var w warmth
	sum := 0.0
	for i := range all {
		s := &all[i]
		if !n.sel.keeps(env, s.Labels) {
			continue
		}
		w.add(s)
		if s.HasPrev && s.Elapsed > 0 {
			sum += increase(*s) / s.Elapsed
		}
	}
	if !w.ok(env) {
		return 0, false
	}
	return sum, true
}

// bucket is one cumulative histogram bucket; le is its bound as written.
type bucket struct {
	le           string
	upper, count float64
}

func (n *quantileCall) eval(env *evaluation) (float64, bool) {
	name := n.sel.name + "_bucket"
	all, ok := env.lookup(name)
	if !ok {
		return 0, false
	}
	var w warmth
	var buckets []bucket
	// A histogram's series come bound after bound, the same bounds over
	// and over: the next bucket is tried first, and a bound is parsed once.
	next := 0
	for i := range all {
		s := &all[i]
		if !n.sel.keeps(env, s.Labels) {
			continue
		}
		w.add(s)
		if !s.HasPrev {
			continue
		}
		le, _ := labelValue(s.Labels, "le")
		b := next
		if b >= len(buckets) || buckets[b].le != le {
			b = slices.IndexFunc(buckets, func(b bucket) bool { return b.le == le })
		}
		if b < 0 {
			upper, err := strconv.ParseFloat(le, 64)
			if err != nil {
				continue
			}
			// "1" and "1.0" are one bound.
			if b = slices.IndexFunc(buckets, func(b bucket) bool { return b.upper == upper }); b < 0 {
				buckets = append(buckets, bucket{le: le, upper: upper})
				b = len(buckets) - 1
			}
		}
		buckets[b].count += increase(*s)
		next = b + 1
	}
	if w.matched == 0 {
		if env.only == nil {
			env.fail("no %s series match %s", name, n.sel)
		}
		return 0, false // with EvalBy: the histogram has no series of this value
	}
	if !w.ok(env) {
		return 0, false
	}
	if len(buckets) == 0 {
		return 0, false // nothing matched: nothing observed
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].upper < buckets[j].upper })
	if !math.IsInf(buckets[len(buckets)-1].upper, 1) {
		env.warn("%s has no le=\"+Inf\" bucket", name)
		return 0, false
	}
	return bucketQuantile(n.q, buckets)
}

// bucketQuantile is Prometheus' bucketQuantile for classic histograms:
// find the bucket holding the q-th observation and interpolate linearly
// inside it, assuming observations spread evenly. buckets are sorted by
// upper bound and end with +Inf.
func bucketQuantile(q float64, buckets []bucket) (float64, bool) {
	if len(buckets) < 2 {
		return 0, false
	}
	// Buckets summed from several series, or reset independently, can come
	// out non-monotonic; Prometheus evens them out the same way.
	for i := 1; i < len(buckets); i++ {
		if buckets[i].count < buckets[i-1].count {
			buckets[i].count = buckets[i-1].count
		}
	}
	total := buckets[len(buckets)-1].count
	if !(total > 0) {
		return 0, false // no observations in the interval
	}
	rank := q * total
	// For q = 0 the rank is 0: look for the first bucket holding anything,
	// or an empty first bucket would interpolate 0/0.
	b := sort.Search(len(buckets)-1, func(i int) bool { return buckets[i].count >= rank && buckets[i].count > 0 })
	switch {
	case b == len(buckets)-1:
		return buckets[len(buckets)-2].upper, true
	case b == 0 && buckets[0].upper <= 0:
		return buckets[0].upper, true
	}
	start, end, count := 0.0, buckets[b].upper, buckets[b].count
	if b > 0 {
		start = buckets[b-1].upper
		count -= buckets[b-1].count
		rank -= buckets[b-1].count
	}
	return start + (end-start)*(rank/count), true
}
