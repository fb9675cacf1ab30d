package networking

import "testing"

// Cilium's matchPattern semantics, as its CRD documents them.
func TestGlobMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, name string
		want          bool
	}{
		{"*", "metadata.google.internal", true},
		{"*.google.internal", "metadata.google.internal", true},
		{"*.internal", "metadata.google.internal", false},
		{"**.internal", "metadata.google.internal", true},
		{"**.google.internal", "google.internal", false},
		{"meta*.google.internal", "metadata.google.internal", true},
		{"*google.internal", "metadata.google.internal", true},
		{"*.stripe.com", "metadata.google.internal", false},
		{"metadata.google.internal", "metadata.google.internal", true},
	} {
		if got := globMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}
