package probe

import (
	"crypto/sha256"
	"sync"
)

// bodySum identifies a body as it came over the wire: its Content-Encoding
// and its bytes. Two bodies with one sum decode to the same text.
type bodySum [sha256.Size]byte

func sumBody(encoding string, raw []byte) bodySum {
	h := sha256.New()
	h.Write([]byte(encoding))
	h.Write([]byte{0})
	h.Write(raw)
	var s bodySum
	h.Sum(s[:0])
	return s
}

// parseCache keeps what was read from a body (the page's title, button
// and references; a stylesheet's url()s) by the URL it came from, with
// the body's sum: a probe every few seconds mostly gets the same page and
// stylesheets back, and decoding and scanning them again would find the
// same things. It holds at most max entries, and is emptied when full.
type parseCache[T any] struct {
	mu  sync.Mutex
	max int
	m   map[string]parsed[T]
}

type parsed[T any] struct {
	sum bodySum
	v   T
}

func newParseCache[T any](max int) *parseCache[T] {
	return &parseCache[T]{max: max, m: make(map[string]parsed[T])}
}

// get returns what was read from url's body when it had this sum.
func (c *parseCache[T]) get(url string, sum bodySum) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[url]
	if !ok || e.sum != sum {
		var zero T
		return zero, false
	}
	return e.v, true
}

// put remembers what was read from url's body with this sum. Callers
// share v with later runs: it must not be changed afterwards.
func (c *parseCache[T]) put(url string, sum bodySum, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[url]; !ok && len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[url] = parsed[T]{sum: sum, v: v}
}
