package celexpr

import "testing"

// FuzzCompileEval: any expression either compiles or is a problem with a
// position, and a compiled one evaluates (or fails) without panicking and
// within the cost limit.
func FuzzCompileEval(f *testing.F) {
	for _, p := range probes {
		f.Add(p)
	}
	env, err := NewEnv(37)
	if err != nil {
		f.Fatal(err)
	}
	obj := map[string]any{"kind": "Pod", "spec": map[string]any{"containers": []any{map[string]any{"name": "a", "image": "x:1"}}}}
	f.Fuzz(func(t *testing.T, expr string) {
		prg, p := env.Compile(expr, true)
		if p != nil {
			if p.Line < 1 || p.Col < 1 {
				t.Fatalf("%q: a problem without a position: %v", expr, p)
			}
			return
		}
		_, _ = prg.Eval(obj, nil)
	})
}
