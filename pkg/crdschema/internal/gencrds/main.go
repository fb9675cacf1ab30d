// Command gencrds writes pkg/crdschema/bundled.json.gz: the served
// versions' schemas of the upstream CRDs vendored in testdata/crds (the
// add-ons whose resources platformctl renders), reduced to what
// validation reads.
//
//	go run ./pkg/crdschema/internal/gencrds
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/platformctl/platformctl/pkg/crdschema"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gencrds:", err)
		os.Exit(1)
	}
}

func run() error {
	data, err := crdschema.Bundle(filepath.Join("testdata", "crds"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join("pkg", "crdschema", "bundled.json.gz"), data, 0o644)
}
