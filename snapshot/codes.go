package snapshot

import (
	"cmp"
	"slices"
	"strings"
)

// CodeShare is one status code's share of the failing requests, 0 to 1.
type CodeShare struct {
	Code  string
	Share float64
}

// ErrorCodeShares turns failed requests per second by code
// (Snapshot.ErrorCodes, or their sum over a run) into each code's share
// of the failing requests, largest first, a tie by code; a code failing
// nothing (or missing) is left out, and no failure at all is nil. The
// codes are as the source cleaned them.
func ErrorCodeShares[V Value | float64](codes map[string]V) []CodeShare {
	rate := func(v V) float64 {
		switch x := any(v).(type) {
		case Value:
			return x.Or(0)
		case float64:
			return x
		}
		return 0
	}
	total := 0.0
	for _, v := range codes {
		if r := rate(v); r > 0 {
			total += r
		}
	}
	if total <= 0 {
		return nil
	}
	out := make([]CodeShare, 0, len(codes))
	for code, v := range codes {
		if r := rate(v); r > 0 {
			out = append(out, CodeShare{Code: code, Share: r / total})
		}
	}
	slices.SortFunc(out, func(a, b CodeShare) int {
		return cmp.Or(cmp.Compare(b.Share, a.Share), strings.Compare(a.Code, b.Code))
	})
	return out
}
