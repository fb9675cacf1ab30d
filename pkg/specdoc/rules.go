package specdoc

import (
	"strings"
)

// message shows a format string as a user sees it, with … for the values.
func message(format string) string {
	// A trailing %s right after a value is the "; did you mean …?" suffix.
	if strings.HasSuffix(format, "%s") && !strings.HasSuffix(format, " %s") {
		format = strings.TrimSuffix(format, "%s")
	}
	return strings.NewReplacer("%q", "…", "%s", "…", "%d", "…", "%U", "…").Replace(format)
}
