package spec

import (
	"fmt"
	"sort"
	"strings"
)

// addFunc reports a problem at a field path (Validate positions it).
type addFunc func(path, format string, args ...any)

func firstDuplicate(list []string) string {
	seen := map[string]bool{}
	for _, v := range list {
		if seen[v] {
			return v
		}
		seen[v] = true
	}
	return ""
}

// didYouMean is the end of a "no … named" message: the candidate meant,
// or a short list of those defined.
func didYouMean(s string, candidates []string) string {
	if c := suggest(s, candidates); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	if len(candidates) > 0 && len(candidates) <= 8 {
		sort.Strings(candidates)
		return "; defined: " + strings.Join(candidates, ", ")
	}
	return ""
}

// BackupSupported reports whether platformctl can back up an in-cluster
// store of type t (dump, retention and a restore test).
func BackupSupported(t DataStoreType) bool {
	return t == DataPostgres || t == DataMySQL || t == DataRedis || t == DataFerretDB
}
