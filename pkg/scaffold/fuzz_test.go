package scaffold

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzAddService: arbitrary input never panics, and a successful edit keeps
// every byte of the input (checked as a subsequence; the empty values [] and
// ~ or null a new list may replace aside) and holds the entry.
func FuzzAddService(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(testdata, "*.in.yaml"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	svc := Service{Name: "fuzz", Image: "ghcr.io/acme/fuzz:1.0.0@sha256:814ed68c9a69bbb8fc83a431fb7628671b75e1e24ab6cb48a14141e71690f2de", Overrides: []EnvOverride{{Env: "dev", CPU: "100m"}}}
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := AddService("platform.yaml", in, svc)
		if err != nil {
			return
		}
		if !bytes.Contains(res.Data, []byte("fuzz")) {
			t.Fatal("the entry is missing")
		}
		if bytes.Contains(bytes.ToLower(in), []byte("null")) {
			return
		}
		strip := func(b []byte) []byte {
			return bytes.Map(func(r rune) rune {
				if r == ' ' || r == '[' || r == ']' || r == '~' {
					return -1
				}
				return r
			}, b)
		}
		in, out := strip(in), strip(res.Data)
		j := 0
		for _, c := range in {
			for j < len(out) && out[j] != c {
				j++
			}
			if j == len(out) {
				t.Fatalf("input byte %q lost", c)
			}
			j++
		}
	})
}
