package textdist

import "testing"

func TestClosest(t *testing.T) {
	candidates := []string{"Deployment", "DaemonSet", "file", "files"}
	tests := []struct {
		s       string
		maxDist int
		want    string
	}{
		{"deployment", 2, "Deployment"}, // case alone: exact
		{"Deploymnt", 2, "Deployment"},
		{"DeamonSet", 2, "DaemonSet"},
		{"fiel", 2, "file"},         // file and files are both 2 away: the first alphabetically
		{"Statefulset", 2, ""},      // nothing close
		{"fil", 0, ""},              // a prefix of file and files alike: no guess
		{"Daemon", 2, "DaemonSet"},  // 3 edits, but the only candidate starting so
		{"Deploy", 2, "Deployment"}, // a prefix is matched ignoring case
		{"", 2, ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.s, candidates, tt.maxDist); got != tt.want {
			t.Errorf("Closest(%q, %d) = %q, want %q", tt.s, tt.maxDist, got, tt.want)
		}
	}
}
