package expr

import (
	"math"
	"slices"
	"sort"
	"strconv"
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
		return m.re.MatchString(v)
	default: // "!~"
		return !m.re.MatchString(v)
	}
}

// match returns the series of name that match, and false (with a warning)
// when no target exposes name at all.
func (n *selector) match(env *evaluation, name string) ([]Series, bool) {
	all, known := env.data[name]
	if !known {
		env.fail("no target exposes a metric named %s", name)
		return nil, false
	}
	if len(n.matchers) == 0 && env.only == nil {
		return all, true
	}
	var out []Series
	for _, s := range all {
		ok := env.only == nil || env.only.matches(s.Labels)
		for i := 0; ok && i < len(n.matchers); i++ {
			ok = n.matchers[i].matches(s.Labels)
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, true
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
	series, ok := n.match(env, n.name)
	if !ok {
		return 0, false
	}
	sum := 0.0
	for _, s := range series {
		sum += s.Value
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

// checkPrev reports whether the series can give an increase: false with
// a warning when none has a previous value (warming up) or the clock did not
// advance.
func checkPrev(env *evaluation, series []Series) bool {
	warm := len(series) > 0
	for _, s := range series {
		if !s.HasPrev {
			continue
		}
		warm = false
		if !(s.Elapsed > 0) {
			env.warn("clock did not advance since the previous poll")
			return false
		}
	}
	if warm {
		env.warn("warming up")
		return false
	}
	return true
}

func (n *rateCall) eval(env *evaluation) (float64, bool) {
	series, ok := n.sel.match(env, n.sel.name)
	if !ok || !checkPrev(env, series) {
		return 0, false
	}
	sum := 0.0
	for _, s := range series {
		if s.HasPrev {
			sum += increase(s) / s.Elapsed
		}
	}
	return sum, true
}

// bucket is one cumulative histogram bucket.
type bucket struct{ upper, count float64 }

func (n *quantileCall) eval(env *evaluation) (float64, bool) {
	name := n.sel.name + "_bucket"
	series, ok := n.sel.match(env, name)
	if ok && len(series) == 0 {
		if env.only != nil {
			return 0, false // the histogram has no series of this value
		}
		env.fail("no %s series match %s", name, n.sel)
		return 0, false
	}
	if !ok || !checkPrev(env, series) {
		return 0, false
	}
	var buckets []bucket
	for _, s := range series {
		if !s.HasPrev {
			continue
		}
		le := ""
		for _, l := range s.Labels {
			if l.Name == "le" {
				le = l.Value
			}
		}
		upper, err := strconv.ParseFloat(le, 64)
		if err != nil {
			continue
		}
		inc := increase(s)
		if i := slices.IndexFunc(buckets, func(b bucket) bool { return b.upper == upper }); i >= 0 {
			buckets[i].count += inc
		} else {
			buckets = append(buckets, bucket{upper: upper, count: inc})
		}
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
