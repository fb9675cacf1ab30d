package spec

import (
	"net/netip"
	"reflect"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// TestFormats checks every row of the table is complete and true to itself:
// its examples, read as YAML, are strings that pass the validator and match
// the pattern the JSON Schema carries.
func TestFormats(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Formats {
		t.Run(f.Tag, func(t *testing.T) {
			if seen[f.Tag] {
				t.Fatal("declared twice")
			}
			seen[f.Tag] = true
			if f.Name == "" || f.Words == "" || len(f.Examples) == 0 || f.Pattern == "" {
				t.Fatal("needs a Name, Words, Examples and a Pattern: docs/spec.md and the JSON Schema show them")
			}
			if (f.Invalid == "") == (f.Problem == nil) {
				t.Error("needs exactly one of Invalid and Problem: the message of a value that fails")
			}
			if f.Invalid != "" && strings.Count(strings.ReplaceAll(f.Invalid, "%%", ""), "%") != 1 {
				t.Errorf("Invalid %q must hold exactly one verb, %%q for the value", f.Invalid)
			}
			if f.Check == nil && !f.Builtin && f.Inexact != "" {
				t.Error("without a Check the pattern is the check: it cannot be inexact")
			}
			if f.Builtin && f.Check != nil {
				t.Error("a builtin format is checked by the validator; its Check would never run")
			}
			pattern := regexp.MustCompile(f.Pattern)
			var exclude *regexp.Regexp
			if f.Exclude != "" {
				exclude = regexp.MustCompile(f.Exclude)
			}
			for _, ex := range f.Examples {
				var s string
				if err := yaml.Unmarshal([]byte(ex), &s); err != nil {
					t.Errorf("example %s is not a YAML string: %v", ex, err)
					continue
				}
				var n yaml.Node
				if err := yaml.Unmarshal([]byte(ex), &n); err != nil || n.Content[0].Tag != "!!str" {
					t.Errorf("example %s is read by YAML as %s, not a string: quote it", ex, n.Content[0].Tag)
				}
				if err := structValidator().Var(s, f.Tag); err != nil {
					t.Errorf("example %q fails the validator: %v", s, err)
				}
				if !pattern.MatchString(s) || (exclude != nil && exclude.MatchString(s)) || (f.MaxLength > 0 && len(s) > f.MaxLength) {
					t.Errorf("example %q does not match the schema's pattern", s)
				}
			}
		})
	}
}

// TestFormatTagsKnown: every tag types.go uses is a format, a rule of
// go-playground/validator the docs and schema translate, or a level marker.
func TestFormatTagsKnown(t *testing.T) {
	known := map[string]bool{"required": true, "omitempty": true, "dive": true, "keys": true, "endkeys": true,
		"eq": true, "oneof": true, "min": true, "max": true, "gte": true, "lte": true, "range": true}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Map {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || seen[rt] {
			return
		}
		seen[rt] = true
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			for _, rule := range strings.Split(f.Tag.Get("validate"), ",") {
				name, _, _ := strings.Cut(rule, "=")
				if rule != "" && !known[name] && FormatByTag(rule) == nil {
					t.Errorf("%s.%s: validate rule %q is neither a format of Formats nor a rule docs and schema translate", rt.Name(), f.Name, rule)
				}
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeOf(Platform{}))
}

// TestFormatMessages: each format's message quotes the value and says why,
// from the same row the validator checks with.
func TestFormatMessages(t *testing.T) {
	tests := []struct{ tag, value, want string }{
		{"dnslabel", "Web", `"Web" is not a valid name: use lowercase letters`},
		{"dnslabel", strings.Repeat("a", 64), `" is longer than 63 characters`},
		{"cron", "61 * * * *", `"61 * * * *" is not a cron schedule the API server accepts: `},
		{"domain", "localhost", `"localhost" needs at least 2 dot-separated labels`},
		{"urlpath", "/a//b", `"/a//b" is not a URL path the Gateway API and Ingress accept: start with '/', use RFC 3986 path characters and %XX escapes`},
		{"secretref", "a/../b", `"a/../b" is not a secret-store key`},
	}
	for _, tt := range tests {
		f := FormatByTag(tt.tag)
		if f.Valid(tt.value) {
			t.Errorf("%s: %q is valid", tt.tag, tt.value)
			continue
		}
		if got := f.message(tt.value, tt.value); !strings.Contains(got, tt.want) {
			t.Errorf("%s: message %q, want it to contain %q", tt.tag, got, tt.want)
		}
	}
}

// TestInternetExcept: to: internet excludes every cloud metadata address,
// and no except entry lies inside another (which would exclude nothing
// more, only lengthen the policy).
func TestInternetExcept(t *testing.T) {
	for cidr, except := range InternetExcept {
		var ps []netip.Prefix
		for _, e := range except {
			ps = append(ps, netip.MustParsePrefix(e))
		}
		for i, a := range ps {
			for j, b := range ps {
				if i != j && b.Bits() <= a.Bits() && b.Contains(a.Addr()) {
					t.Errorf("%s: except %s lies inside %s", cidr, a, b)
				}
			}
		}
		outer := netip.MustParsePrefix(cidr)
		for _, m := range MetadataAddresses {
			if !outer.Contains(m.Addr()) {
				continue
			}
			excluded := false
			for _, p := range ps {
				excluded = excluded || p.Bits() <= m.Bits() && p.Contains(m.Addr())
			}
			if !excluded {
				t.Errorf("%s: metadata address %s is not excluded", cidr, m)
			}
		}
	}
}

func TestHostMatches(t *testing.T) {
	for _, tt := range []struct {
		pattern, name string
		want          bool
	}{
		{"api.stripe.com", "api.stripe.com", true},
		{"*.stripe.com", "api.stripe.com", true},
		{"*.stripe.com", "stripe.com", false},
		{"*.stripe.com", "a.b.stripe.com", false},
		{"*.google.internal", "metadata.google.internal", true},
	} {
		if got := HostMatches(tt.pattern, tt.name); got != tt.want {
			t.Errorf("HostMatches(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}
