package yamlfast

import (
	"strconv"
	"strings"

	"github.com/platformctl/platformctl/pkg/yamljson"
)

// Tags go-yaml v3 gives nodes; constants, so no node allocates one.
const (
	nullTag      = "!!null"
	boolTag      = "!!bool"
	strTag       = "!!str"
	intTag       = "!!int"
	floatTag     = "!!float"
	timestampTag = "!!timestamp"
	seqTag       = "!!seq"
	mapTag       = "!!map"
	mergeTag     = "!!merge"
)

// plainTag is the tag go-yaml v3's parser gives a plain scalar: "<<" is
// always a merge key, anything else is resolved.
func plainTag(v string) string {
	if v == "<<" {
		return mergeTag
	}
	return resolveTag(v)
}

// resolveTag returns the tag go-yaml v3's resolve("", v) gives a plain
// scalar. It follows resolve.go line by line (same prefix hints, same
// strconv calls on the same strings) so the answer is identical, without the
// regular expression and without allocating for the common cases.
func resolveTag(v string) string {
	if v == "" {
		return nullTag
	}
	switch v[0] {
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~':
		if t, ok := mapped(v); ok {
			return t
		}
		return strTag
	case '.':
		if t, ok := mapped(v); ok {
			return t
		}
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return floatTag
		}
		return strTag
	case '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if t, ok := mapped(v); ok {
			return t
		}
		return numberTag(v)
	}
	return strTag
}

// mapped is resolve.go's resolveMap lookup.
func mapped(v string) (string, bool) {
	switch v {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return boolTag, true
	case "~", "null", "Null", "NULL":
		return nullTag, true
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return floatTag, true
	}
	return "", false
}

// numberTag is resolve.go's 'D'/'S' branch: timestamp, int, float, 0b/0o
// forms, else string.
func numberTag(in string) string {
	if yamljson.IsTimestamp(in) {
		return timestampTag
	}
	plain := in
	if strings.IndexByte(in, '_') >= 0 {
		plain = strings.ReplaceAll(in, "_", "")
	}
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return intTag
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return intTag
	}
	if yamljson.IsFloatSyntax(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return floatTag
		}
	}
	switch {
	case strings.HasPrefix(plain, "0b"):
		if _, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
			return intTag
		}
		if _, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
			return intTag
		}
	case strings.HasPrefix(plain, "-0b"):
		if _, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
			return intTag
		}
	}
	switch {
	case strings.HasPrefix(plain, "0o"):
		if _, err := strconv.ParseInt(plain[2:], 8, 64); err == nil {
			return intTag
		}
		if _, err := strconv.ParseUint(plain[2:], 8, 64); err == nil {
			return intTag
		}
	case strings.HasPrefix(plain, "-0o"):
		if _, err := strconv.ParseInt("-"+plain[3:], 8, 64); err == nil {
			return intTag
		}
	}
	return strTag
}
