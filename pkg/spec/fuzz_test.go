package spec

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes through everything a spec goes through
// before rendering. The loader faces files from anywhere (CI checkouts,
// pull requests), so it must never panic, and every error it reports must
// carry a usable position.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob("../../examples/*/platform.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range corpusCases(f) {
		seeds = append(seeds, filepath.Join(badCorpus, name))
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse("fuzz.yaml", data)
		checkErrorList(t, err)
		if d == nil {
			if err == nil {
				t.Fatal("Parse returned neither a document nor an error")
			}
			return
		}
		err = Validate(d)
		checkErrorList(t, err)
		if err != nil {
			return
		}
		// A valid spec goes on to defaults and per-environment plans; those
		// trust validation, so a gap in it shows up here as a panic.
		Default(d.Platform)
		p := d.Platform
		for i := range p.Spec.Environments {
			env := &p.Spec.Environments[i]
			_ = p.EnvDomain(env)
			for _, area := range Areas {
				_ = Namespace(env, area)
			}
			for j := range p.Spec.Services {
				_ = Resolve(&p.Spec.Services[j], env)
			}
		}
	})
}

func checkErrorList(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error is %T, want ErrorList: %v", err, err)
	}
	if len(list) == 0 {
		t.Fatal("empty ErrorList returned as an error")
	}
	for _, e := range list {
		if e.Pos.Line < 1 || e.Pos.Col < 1 {
			t.Errorf("position %d:%d is not 1-based: %v", e.Pos.Line, e.Pos.Col, e)
		}
		if e.File != "fuzz.yaml" {
			t.Errorf("file %q, want fuzz.yaml: %v", e.File, e)
		}
	}
}
