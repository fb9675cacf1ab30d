// Package kustomize runs the real Kustomize (krusty) over a directory: the
// oracle render's output is checked against, and the builder lint uses for
// Kustomize directories.
package kustomize

import (
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Options are the krusty options every caller uses. Reorder is left
// unspecified so the kustomization's own sortOptions decide, as they do for
// `kustomize build` and `kubectl kustomize`.
func Options() *krusty.Options {
	o := krusty.MakeDefaultOptions()
	o.Reorder = krusty.ReorderOptionUnspecified
	return o
}

// Run builds dir on fs and returns the resource map.
func Run(fs filesys.FileSystem, dir string) (resmap.ResMap, error) {
	m, err := krusty.MakeKustomizer(Options()).Run(fs, dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	return m, nil
}

// Build builds dir on fs and returns the YAML stream `kustomize build` prints.
func Build(fs filesys.FileSystem, dir string) ([]byte, error) {
	m, err := Run(fs, dir)
	if err != nil {
		return nil, err
	}
	y, err := m.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	return y, nil
}
