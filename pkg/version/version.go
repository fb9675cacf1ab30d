// Package version holds build information set by the linker (-ldflags -X).
package version

// Set at build time by the Makefile and .goreleaser.yaml.
var (
	Version = "dev"
	Commit  = "none"
	Date    = "unknown"
)
