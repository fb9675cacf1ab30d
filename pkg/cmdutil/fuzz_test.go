package cmdutil

import (
	"os"
	"testing"
	"time"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
)

// FuzzConfig feeds arbitrary text to the config decoder, seeded with
// custom CEL rules: it never panics, every problem has a position, and a
// config it accepts is one lint accepts too (its custom rules compile and
// run on a manifest without panicking).
func FuzzConfig(f *testing.F) {
	if b, err := os.ReadFile("../../testdata/custom-rules/.platformctl.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("lint:\n  custom:\n  - id: a\n    kinds: [Pod]\n    message: m\n    expression: |\n      object.spec.containers.all(c,\n        c.image.startsWith('x'))\n"))
	f.Add([]byte("lint:\n  severity: {a: error}\n  custom:\n  - {id: a, kinds: [Service], message: m, expression: \"object.?spec.?type.orValue('') != 'NodePort'\", variables: [{name: v, expression: '1'}]}\n"))
	objs, err := lint.Decode("m.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, errs := DecodeConfig("c.yaml", data)
		for _, e := range errs {
			if e.Line < 1 || e.Col < 1 {
				t.Fatalf("a problem without a position: %v", e)
			}
		}
		if len(errs) > 0 || cfg.Lint.Params.KubeVersion != "" {
			return
		}
		if _, err := lint.Run(objs, rules.All(), lint.Options{Config: cfg.Lint, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatalf("the decoder accepted a config lint refuses: %v", err)
		}
	})
}
