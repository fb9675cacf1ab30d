// Package templates holds the scaffolding templates platformctl writes with
// `init` and `new service --with-skeleton`, embedded in the binary. It lives
// at the top of the repository because go:embed cannot reach parent
// directories; pkg/scaffold executes the templates.
package templates

import "embed"

// FS holds init/ (platform.yaml and .platformctl.yaml) and skeleton/
// (a service's Dockerfile and README), each a text/template.
//
//go:embed init skeleton
var FS embed.FS
