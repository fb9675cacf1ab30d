// Package textdist measures how far apart two words are, for "did you
// mean" hints in the spec loader, the CLI config check and the linter.
package textdist

import "strings"

// Levenshtein is the edit distance between a and b, in bytes: names in
// specs and manifests are ASCII.
func Levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the candidate nearest to s, ignoring case, when it is at
// most maxDist edits away; an exact match but for case wins, and ties go to
// the alphabetically first candidate so hints are stable. When none is that
// close, a candidate that s begins is still the one meant when it is the
// only one: "orders" for "orders-db" is 3 edits away, but a user who wrote
// a shortened name needs the hint most. Otherwise it returns "".
func Closest(s string, candidates []string, maxDist int) string {
	best, bestD := "", maxDist+1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if strings.EqualFold(c, s) {
			return c
		}
		if d := Levenshtein(ls, strings.ToLower(c)); d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if best != "" || ls == "" {
		return best
	}
	for _, c := range candidates {
		if strings.HasPrefix(strings.ToLower(c), ls) {
			if best != "" && best != c {
				return "" // two names start so: guessing one would mislead
			}
			best = c
		}
	}
	return best
}
