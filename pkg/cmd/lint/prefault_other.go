//go:build !linux

package lint

// prefault does nothing outside Linux (see prefault_linux.go).
func prefault(int64) {}
