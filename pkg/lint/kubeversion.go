package lint

import (
	"fmt"
	"strconv"
	"strings"
)

// The Kubernetes releases lint judges API versions for (params.kubeVersion,
// `lint --kube-version`): the one whose API types this build links
// (k8s.io/api v0.37: TestNewestKubeVersionIsTheLinkedAPI keeps the two
// together) and the ten before it.
const (
	NewestKubeMinor = 37
	OldestKubeMinor = 27
)

// KubeMinor reads a Kubernetes version — 1.30, v1.30 or 1.30.4 — as its
// minor release; "" is the newest. Versions outside OldestKubeMinor ..
// NewestKubeMinor are an error naming the range.
func KubeMinor(v string) (int, error) {
	if v == "" {
		return NewestKubeMinor, nil
	}
	s := strings.TrimPrefix(strings.TrimSpace(v), "v")
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != "1" {
		return 0, fmt.Errorf("kube version %q: write it as 1.<minor> (e.g. 1.%d)", v, NewestKubeMinor)
	}
	minor, err := strconv.Atoi(parts[1])
	if err != nil || minor < 0 || (len(parts) == 3 && !isDigits(parts[2])) {
		return 0, fmt.Errorf("kube version %q: write it as 1.<minor> (e.g. 1.%d)", v, NewestKubeMinor)
	}
	if minor < OldestKubeMinor || minor > NewestKubeMinor {
		return 0, fmt.Errorf("kube version %q: lint knows Kubernetes 1.%d through 1.%d", v, OldestKubeMinor, NewestKubeMinor)
	}
	return minor, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// KubeRelease is "1.<minor>".
func KubeRelease(minor int) string { return "1." + strconv.Itoa(minor) }
