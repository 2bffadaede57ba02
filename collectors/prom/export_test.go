package prom

// NewestQuery lets the integration tests ask a real server the
// newest-sample query exactly as the source builds it, for names no
// signal of theirs reads.
var NewestQuery = newestQuery
