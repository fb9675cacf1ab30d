// Package schema holds the JSON Schema (draft 2020-12) of platform.yaml,
// platformctl.dev/v1alpha1 Platform. It is generated from pkg/spec by
// pkg/specdoc (the binary has no source at run time, so the generated copy
// is embedded) and committed twice, byte for byte: here and as
// docs/schema/platform.v1alpha1.json. Refresh both with
// `go test ./pkg/schema -update` (make golden).
package schema

import (
	"bytes"
	_ "embed"
)

//go:embed platform.v1alpha1.json
var platformV1alpha1 []byte

// PlatformV1alpha1 returns the schema document (a copy: callers may modify it).
func PlatformV1alpha1() []byte { return bytes.Clone(platformV1alpha1) }

// FileName is the schema's file name in docs/schema/ and in this package.
const FileName = "platform.v1alpha1.json"
