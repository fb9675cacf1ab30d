package rules_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
)

// FuzzLint feeds arbitrary bytes to the object decoder and every decoded set
// to every rule: neither may panic on user input, and input errors must
// carry a position. Seeds are the rule fixtures.
func FuzzLint(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(fixtures, "*", "*.yaml"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {template: {spec: {containers: [7, {name: [a]}]}}}\n"))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Service, metadata: {name: s}, spec: {selector: [x]}}]\n"))
	all := rules.All()
	cfg := lint.Config{}
	for _, r := range all {
		if r.Disabled {
			cfg.Enable = append(cfg.Enable, r.ID)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Bad documents are input errors, each with a position; the good
		// ones around them are still linted.
		objs, err := lint.Decode("f.yaml", data)
		ies, only := lint.InputErrors(err)
		if !only {
			t.Fatalf("an error that is not an input error: %v", err)
		}
		for _, ie := range ies {
			if ie.Line < 1 || ie.Col < 1 {
				t.Fatalf("input error without a position: %v", ie)
			}
		}
		res, err := lint.Run(objs, all, lint.Options{Config: cfg, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Findings {
			if d.Line < 1 || d.Column < 1 {
				t.Fatalf("finding without a position: %s", d)
			}
		}
	})
}
