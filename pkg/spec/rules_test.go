package spec

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// atPattern turns a path of Rule.At ([*] any list item, [<name>] any map
// key) into a regexp of the paths it stands for.
func atPattern(at string) *regexp.Regexp {
	q := regexp.QuoteMeta(at)
	q = strings.ReplaceAll(q, `\[\*\]`, `\[\d+\]`)
	q = regexp.MustCompile(`\\\[<[^>]+>\\\]`).ReplaceAllString(q, `\[[^\]]+\]`)
	return regexp.MustCompile(`^` + q + `$`)
}

// TestRules checks the table's rows are complete, and that over the bad
// corpus every rule reports only at the paths it documents, with one of
// its own messages; a message no case produces is listed, so a rule cannot
// be documented with words its check never says.
func TestRules(t *testing.T) {
	rules := Rules()
	for i, r := range rules {
		if len(r.At) == 0 || r.Doc == "" || len(r.Msgs) == 0 || r.check == nil {
			t.Errorf("rule %d (%q) needs At, Doc, Msgs and a check", i, r.Doc)
		}
		if (r.Schema == "") == (r.Pattern == "") {
			t.Errorf("rule %d (%q) needs either a Pattern the JSON Schema carries or, in Schema, why it cannot", i, r.Doc)
		}
	}
	inputs, err := filepath.Glob(filepath.Join(badCorpus, "*.yaml"))
	if err != nil || len(inputs) < minCorpusCases {
		t.Fatalf("bad corpus: %d cases, %v", len(inputs), err)
	}
	reported := map[string]bool{}
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := Parse(in, data)
		if d == nil {
			continue
		}
		c := newCheckContext(d.Platform, filepath.Dir(in))
		files, closeFiles := specDirFS(filepath.Dir(in)) // config files next to the case, as Validate reads them
		c.files = files
		for _, r := range rules {
			r.check(c, func(path string, msg int, _ ...any) {
				if msg < 0 || msg >= len(r.Msgs) {
					t.Errorf("%s: rule %q reports message %d of %d", filepath.Base(in), r.Doc, msg, len(r.Msgs))
					return
				}
				reported[r.Msgs[msg]] = true
				for _, at := range r.At {
					if atPattern(at).MatchString(path) {
						return
					}
				}
				t.Errorf("%s: rule %q reports at %s, which its At %v does not name", filepath.Base(in), r.Doc, path, r.At)
			})
		}
		closeFiles()
	}
	for _, r := range rules {
		for _, msg := range r.Msgs {
			if !reported[msg] {
				t.Errorf("no case of the bad corpus makes rule %q report %q: add one to testdata/specs/bad", r.Doc, msg)
			}
		}
	}
}
