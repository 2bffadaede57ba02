package snapshot

import "testing"

func TestErrorCodeSharesAreOfTheFailingRequestsLargestFirst(t *testing.T) {
	got := ErrorCodeShares(map[string]Value{"503": Some(1), "500": Some(3), "504": Some(1), "404": {}, "502": Some(0)})
	want := []CodeShare{{"500", 0.6}, {"503", 0.2}, {"504", 0.2}}
	if len(got) != len(want) {
		t.Fatalf("shares %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("share %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if ErrorCodeShares(map[string]float64{"502": 0}) != nil {
		t.Error("no failures, yet a breakdown")
	}
	if s := ErrorCodeShares(map[string]float64{"502": 6, "504": 2}); len(s) != 2 || s[0].Share != 0.75 {
		t.Errorf("summed rates: %+v", s)
	}
}
