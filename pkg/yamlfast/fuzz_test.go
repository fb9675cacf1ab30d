package yamlfast

import (
	"testing"
)

// FuzzDecodeEqual: whenever Parse accepts an input, go-yaml v3 must accept it
// too and build the same tree, field by field; Parse must never panic.
func FuzzDecodeEqual(f *testing.F) {
	seeds := []string{
		"a: 1\nb: two\n",
		"a:\n  b:\n    c: d\n  e: f\ng: h\n",
		"a:\n- x\n- y\nb: z\n",
		"- - a\n  - b\n- c: 1\n  d: [x, {k: v}]\n",
		"a:\nb:\n  -\n  - x\nc:   # c\n",
		"a: 'it''s'\nb: \"x\\ty\\u00e9\\x41\"\n\"c d\" : e\n",
		"image: nginx:1.2\nurl: http://x/y#z\n",
		"a: true\nb: 0x1F\nc: 1_000\nd: 1e3\ne: .inf\nf: 2001-12-14\ng: ~\nh: \"1\"\ni: 0o17\nj: -0b11\n",
		"a: |\n  one\n   two\n\n  three\nb: >-\n  x\n  y\n\n  z\n",
		"a: |+\n  one\n\n\nb: |2-\n    x\nc: >\n\n  folded\n   more\n  end\n",
		"a: 1\n---\nb: 2\n---\n---\n# c\n...\n---\nc: 3\n",
		"%YAML 1.1\n---\na: 1\n",
		"é: ü\nb: 'ñ' # ç\nc: [ö, å]\n",
		"  a: 1\n  b: 2\n",
		"a: b\n  c\n\n\n   d  \ne: f\n- one\n  two # c\n",
		"a: 'one\n  two ''q''\n\n  three'\nb: \"one \\\n  two\\t\n   three\"\n",
		"a: [{name: web, image: ghcr.io/a/web:1.0}, x:y]\nb  : c\n",
		"a: 1\r\nb: |\r\n  x\r\n\r\n  y\r\nc: 'p\r\n  q'\r\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx@sha256:abc\n        args: [\"--port\", \"80\"]\n        securityContext: {privileged: false}\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, problem := check(data); problem != "" {
			t.Fatalf("%q: %s", data, problem)
		}
	})
}
