package lint

import "strconv"

// Count writes n and a countable noun, plural unless n is 1: "1 error",
// "2 errors", "0 objects". Every count lint prints goes through it, so no
// message says "1 errors".
func Count[N ~int | ~int64](n N, noun string) string {
	s := strconv.FormatInt(int64(n), 10) + " " + noun
	if n != 1 {
		s += "s"
	}
	return s
}
