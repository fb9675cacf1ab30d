package specdoc

import (
	"fmt"
	"strconv"
	"strings"
)

// format is a named value syntax enforced by a validate tag. The words must
// say what validate.go (or go-playground/validator, for its built-in tags)
// actually accepts: they are the only description a user gets.
type format struct {
	Tag     string
	Name    string
	Words   string
	Example string
}

// formats is every syntax tag types.go may use; Generate fails on a tag that
// is missing here, so a new rule cannot reach the document undescribed.
var formats = []format{
	{"dnslabel", "DNS label",
		"Lowercase letters, digits and `-`; starts with a letter, ends with a letter or digit; at most 63 characters.", "`orders-db`"},
	{"dnssubdomain", "DNS subdomain",
		"Lowercase letters, digits, `-` and `.`; starts and ends with a letter or digit; at most 253 characters.", "`letsencrypt-prod`, `gp3.encrypted`"},
	{"domain", "domain name",
		"A DNS name the edge builds host names on: at least two dot-separated labels of lower-case letters, digits and `-`, each starting and ending with a letter or digit and at most 63 characters, the last one starting with a letter; at most 253 characters; no trailing `.`, scheme, port or path. Every host name built on it (`<host>.<domain>`, `<host>.<env>.<domain>`) must keep within the same limits (see [Cross-field rules](#cross-field-rules)).", "`shop.example.com`"},
	{"hostname_port|fqdn", "registry host",
		"A registry host name, optionally with a port (`host:port`); no scheme and no path.", "`ghcr.io`, `registry.example.com:5000`"},
	{"hostport", "host:port",
		"A host (DNS subdomain or IP address; IPv6 in brackets) and a port 1–65535, separated by `:`.", "`jobs.mq.example.internal:5671`"},
	{"imageref", "image reference",
		"A container image reference: optional `registry[:port]/`, a lowercase repository path, an optional `:tag` and an optional `@sha256:<64 hex digits>`; at most 512 characters. The image must also be pinned (see [Cross-field rules](#cross-field-rules)).", "`ghcr.io/acme/web:1.4.2`"},
	{"labelvalue", "label value",
		"A Kubernetes label value: empty, or at most 63 letters, digits, `-`, `_` and `.` that starts and ends with a letter or digit.", "`gpu`, `spot-2026.01`"},
	{"labelkey", "label key",
		"A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 letters, digits, `-`, `_` and `.` that starts and ends with a letter or digit.", "`nvidia.com/gpu`"},
	{"quantity", "quantity",
		"A positive Kubernetes quantity: a number with an optional suffix (`m` for thousandths, `k`, `M`, `G`, … or `Ki`, `Mi`, `Gi`, …).", "`250m`, `1`, `512Mi`, `20Gi`"},
	{"urlpath", "URL path",
		"What the Gateway API and Ingress accept as a path prefix: starts with `/`; letters, digits, `._~!$&'()*+,;=:@/-` and `%XX` escapes only (no spaces, no query, no `#`); no empty segment (`//`), no `.` or `..` segment, no encoded `/` (`%2F`); at most 1024 characters.", "`/`, `/api/v1`"},
	{"envname", "variable name",
		"An environment variable name: letters, digits and `_`, not starting with a digit.", "`LOG_LEVEL`"},
	{"secretref", "secret reference",
		"A key in the secret store: one or more `/`-separated segments of letters, digits, `_`, `.` and `-`, optionally followed by `#property` to pick one property of a structured secret; no `.` or `..` segments.", "`payments/stripe-api-key`, `db/orders#password`"},
	{"cron", "cron schedule",
		"What the API server accepts as a CronJob schedule, parsed the same way (robfig/cron `ParseStandard`): five space-separated fields, minute (0–59) hour (0–23) day-of-month (1–31) month (1–12 or `JAN`–`DEC`) day-of-week (0–6 or `SUN`–`SAT`), each `*`, a value, a range `a-b`, a list `a,b` or a step `*/n`; or `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, `@every <duration>`. No `TZ=` or `CRON_TZ=` prefix (the API server refuses it on new CronJobs): schedules run in the controller's time zone, normally UTC.", "`0 3 * * *`"},
	{"percent", "percentage",
		"A decimal number strictly between 0 and 100, written as a string.", "`\"99.9\"`"},
	{"duration", "duration",
		"A positive Go duration: numbers with units `ns`, `us`, `ms`, `s`, `m`, `h`.", "`300ms`, `1h30m`"},
	{"relpath", "relative path",
		"A clean relative path inside the repository: no leading `/`, no `\\`, no `.` or `..` segments, no `//` and no trailing `/`.", "`deploy`, `clusters/prod`"},
	{"gitrepourl", "Git repository URL",
		"Where Argo CD or Flux clones the rendered tree from: `https://host/path`, `ssh://[user@]host[:port]/path`, or (Argo CD only) the scp-like `user@host:path`. No other scheme: plain `http://` would let anyone on the network path change what the cluster deploys, and `file:`, `git:` and the like are not repositories a cluster controller should read. No credentials in the URL (give them to Argo CD or Flux as a repository secret), no query or fragment.", "`https://github.com/acme/shop-deploy`, `git@github.com:acme/shop-deploy.git`"},
	{"httpsurl", "https URL",
		"An `https://` URL with a host and no credentials, query or fragment.", "`https://token.actions.githubusercontent.com`"},
}

func formatByTag(tag string) *format {
	for i := range formats {
		if formats[i].Tag == tag {
			return &formats[i]
		}
	}
	return nil
}

// rules is one validate tag split into the levels go-playground/validator
// applies it at: the field itself, each list item or map value (after
// dive), and each map key (between keys and endkeys).
type rules struct {
	field, item, key []string
}

func splitRules(tag string) rules {
	var r rules
	level := &r.field
	for _, part := range splitTag(tag) {
		switch part {
		case "dive":
			level = &r.item
		case "keys":
			level = &r.key
		case "endkeys":
			level = &r.item
		default:
			*level = append(*level, part)
		}
	}
	return r
}

// splitTag splits on commas; validator has no escaping we use.
func splitTag(tag string) []string {
	if tag == "" {
		return nil
	}
	return strings.Split(tag, ",")
}

// fieldFacts is what a field's tags say, in the words of the document.
type fieldFacts struct {
	Required    bool
	Allowed     []string
	Constraints []string
	Formats     []string // tags of the formats used, for the glossary
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// facts interprets f's validate and enum tags, once: defaults derivation asks
// for them on every probe it builds.
func (f *field) facts() (fieldFacts, error) {
	if f.cached == nil {
		ff, err := interpret(f)
		f.cached = &cachedFacts{ff, err}
	}
	return f.cached.ff, f.cached.err
}

type cachedFacts struct {
	ff  fieldFacts
	err error
}

// interpret reads f's validate and enum tags. An unknown rule is an error:
// the document must not silently omit a constraint users will hit.
func interpret(f *field) (fieldFacts, error) {
	var ff fieldFacts
	r := splitRules(f.Validate)
	t := f.Type.deref()
	ff.Required = has(r.field, "required")
	if !ff.Required && !has(r.field, "omitempty") {
		// A rule that rejects the zero value, without omitempty, makes the
		// field required in practice (autoscale.min: range=1:1000).
		for _, rule := range r.field {
			if rejectsZero(rule) {
				ff.Required = true
			}
		}
	}
	var oneof []string
	words, oneofField, err := describe(r.field, t, &ff)
	if err != nil {
		return ff, fmt.Errorf("%s: %w", f.key(), err)
	}
	oneof = oneofField
	ff.Constraints = append(ff.Constraints, words...)
	if t.Kind == kindSlice || t.Kind == kindMap {
		if len(r.key) > 0 {
			w, o, err := describe(r.key, &typeRef{Kind: kindBasic, Name: "string"}, &ff)
			if err != nil {
				return ff, fmt.Errorf("%s keys: %w", f.key(), err)
			}
			if len(o) > 0 {
				w = append(w, "one of "+codeList(o))
			}
			if len(w) > 0 {
				ff.Constraints = append(ff.Constraints, "keys: "+strings.Join(w, ", "))
			}
		}
		el := t.Elem.deref()
		if el.Kind == kindBasic && len(r.item) > 0 {
			w, o, err := describe(r.item, el, &ff)
			if err != nil {
				return ff, fmt.Errorf("%s items: %w", f.key(), err)
			}
			if len(o) > 0 {
				w = append(w, "one of "+codeList(o))
			}
			label := "each item"
			if t.Kind == kindMap {
				label = "values"
			}
			if len(w) > 0 {
				ff.Constraints = append(ff.Constraints, label+": "+strings.Join(w, ", "))
			}
		}
	} else if len(r.item) > 0 || len(r.key) > 0 {
		return ff, fmt.Errorf("%s: dive on a field that is neither a list nor a map", f.key())
	}
	switch {
	case len(f.Enum) > 0 && len(oneof) > 0 && strings.Join(f.Enum, " ") != strings.Join(oneof, " "):
		// Two lists of the same values drift; the document would pick one.
		return ff, fmt.Errorf("%s: enum tag %v and validate oneof %v disagree", f.key(), f.Enum, oneof)
	case len(f.Enum) > 0:
		ff.Allowed = f.Enum
	default:
		ff.Allowed = oneof
	}
	return ff, nil
}

func rejectsZero(rule string) bool {
	name, param, _ := strings.Cut(rule, "=")
	switch name {
	case "range":
		lo, _, ok := parseRange(param)
		return ok && lo > 0
	case "gte", "min":
		n, err := strconv.ParseFloat(param, 64)
		return err == nil && n > 0
	case "eq":
		return param != ""
	}
	return formatByTag(rule) != nil
}

func parseRange(param string) (int64, int64, bool) {
	a, b, ok := strings.Cut(param, ":")
	lo, err1 := strconv.ParseInt(a, 10, 64)
	hi, err2 := strconv.ParseInt(b, 10, 64)
	return lo, hi, ok && err1 == nil && err2 == nil
}

// describe turns the rules of one level into words; oneof/eq values are
// returned separately because they belong in the "allowed values" column.
func describe(list []string, t *typeRef, ff *fieldFacts) (words, allowed []string, err error) {
	collection := t.Kind == kindSlice || t.Kind == kindMap
	var gte, lte string
	for _, rule := range list {
		name, param, _ := strings.Cut(rule, "=")
		switch name {
		case "required", "omitempty":
		case "eq":
			allowed = append(allowed, param)
		case "oneof":
			allowed = append(allowed, strings.Fields(param)...)
		case "min", "max":
			unit := "characters"
			if collection {
				unit = "items"
				if param == "1" {
					unit = "item"
				}
			}
			word := "at least"
			if name == "max" {
				word = "at most"
			}
			words = append(words, fmt.Sprintf("%s %s %s", word, param, unit))
		case "gte":
			gte = param
		case "lte":
			lte = param
		case "range":
			lo, hi, ok := parseRange(param)
			if !ok {
				return nil, nil, fmt.Errorf("bad range %q", param)
			}
			words = append(words, fmt.Sprintf("%d to %d", lo, hi))
		default:
			f := formatByTag(rule)
			if f == nil {
				return nil, nil, fmt.Errorf("validate rule %q has no description in specdoc (add it to formats)", rule)
			}
			words = append(words, "["+f.Name+"](#formats)")
			if !has(ff.Formats, f.Tag) {
				ff.Formats = append(ff.Formats, f.Tag)
			}
		}
	}
	switch {
	case gte != "" && lte != "":
		words = append(words, gte+" to "+lte)
	case gte != "":
		words = append(words, "at least "+gte)
	case lte != "":
		words = append(words, "at most "+lte)
	}
	return words, allowed, nil
}

func codeList(vals []string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = "`" + v + "`"
	}
	return strings.Join(out, ", ")
}
