// Package templates holds the files platformctl init writes, embedded in the
// binary. It lives at the top of the repository because go:embed cannot reach
// parent directories; pkg/scaffold fills their {{.Key}} placeholders (plain
// substitution, not text/template, which would keep every exported method in
// the binary). The service skeleton has conditional parts and is written by
// pkg/scaffold's code.
package templates

import "embed"

// FS holds init/: platform.yaml and .platformctl.yaml.
//
//go:embed init
var FS embed.FS
