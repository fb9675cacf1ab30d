package spec

import (
	"fmt"
	"regexp"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Format is a named value syntax, enforced wherever a field's validate tag
// names it. It is declared here once and read three times: the validator
// checks values with it (Check, or else Pattern, Exclude and MaxLength),
// pkg/specdoc writes its Name, Words and Examples into docs/spec.md, and the
// JSON Schema carries its Pattern, Exclude and MaxLength. A new format is one
// row of Formats; TestFormats checks the row is complete and its examples
// pass.
type Format struct {
	// Tag names the format in validate tags.
	Tag string
	// Name is what docs/spec.md calls it in its Constraints column.
	Name string
	// Words say, in Markdown, what the format accepts: the only description a
	// user gets, so they must say what the check accepts.
	Words string
	// Examples are valid values, as written in YAML (quoted where YAML
	// would read another type: "99.9").
	Examples []string
	// Pattern is a regular expression every valid value matches, in the
	// syntax Go's RE2 and ECMA-262 (JSON Schema) share: no lookaround, no
	// backreferences. Where Check is set the pattern may be the closest
	// shape that accepts every valid value (docs/schema/README.md lists the
	// differences, TestFormatsAgreeWithLoader in pkg/schema pins them).
	Pattern string
	// Exclude, when set, is a pattern no valid value matches (a JSON Schema
	// "not"): dot segments, a time zone prefix.
	Exclude string
	// Inexact says, in Markdown, what the schema's Pattern, Exclude and
	// MaxLength let through or refuse that the check does not, or is ""
	// when they accept exactly what the check accepts (docs/schema/README.md
	// lists it; TestFormatsAgreeWithLoader in pkg/schema pins it).
	Inexact string
	// MaxLength in bytes, 0 for none.
	MaxLength int
	// Check is the whole check where a regular expression is not enough (a
	// parse, a number range); nil means Pattern, Exclude and MaxLength.
	Check func(string) bool
	// Builtin formats are go-playground/validator's own tags: the validator
	// checks them itself and Check is unused.
	Builtin bool
	// Invalid is the message for a value that fails, with %q for the value.
	Invalid string
	// Problem, instead of Invalid, says what is wrong with this value; the
	// message is the quoted value followed by it.
	Problem func(string) string
}

// Valid says whether s has the format (for a Builtin one, only its Check
// or pattern: the validator's own rule is authoritative there).
func (f *Format) Valid(s string) bool {
	if f.Check != nil {
		return f.Check(s)
	}
	re := formatRegexps()[f.Tag]
	return (f.MaxLength == 0 || len(s) <= f.MaxLength) && re.pattern.MatchString(s) && (re.exclude == nil || !re.exclude.MatchString(s))
}

// message is the error for the value s; quoted is s cut to a readable length.
func (f *Format) message(s string, quoted any) string {
	if f.Problem != nil {
		return fmt.Sprintf("%q %s", quoted, f.Problem(s))
	}
	return fmt.Sprintf(f.Invalid, quoted)
}

// FormatByTag returns the format a validate tag names, or nil.
func FormatByTag(tag string) *Format {
	for i := range Formats {
		if Formats[i].Tag == tag {
			return &Formats[i]
		}
	}
	return nil
}

type formatRE struct{ pattern, exclude *regexp.Regexp }

// formatRegexps compiles the patterns on first use: package initialisation
// runs on every invocation (lint on one file included), and most never
// validate a spec.
var formatRegexps = sync.OnceValue(func() map[string]formatRE {
	out := make(map[string]formatRE, len(Formats))
	for _, f := range Formats {
		re := formatRE{pattern: regexp.MustCompile(f.Pattern)}
		if f.Exclude != "" {
			re.exclude = regexp.MustCompile(f.Exclude)
		}
		out[f.Tag] = re
	}
	return out
})

// Pieces of the patterns, shared between rows and with the checks of
// the cross-field rules.
const (
	dnsLabelPattern   = `^[a-z]([-a-z0-9]*[a-z0-9])?$`
	subdomainLabel    = `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
	dnsSubdomainBody  = subdomainLabel + `(\.` + subdomainLabel + `)*`
	domainLabel       = `[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?`
	hostnameRFC1123   = `[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*`
	fqdnBody          = `([a-zA-Z0-9]{1}[a-zA-Z0-9-]{0,62})(\.[a-zA-Z0-9]{1}[a-zA-Z0-9-]{0,62})*?(\.[a-zA-Z]{1}[a-zA-Z0-9-]{0,62})\.?`
	portPattern       = `\+?0*([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])`
	portNumberPattern = `[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]`
	numberWithNonZero = `(?:[0-9]*[1-9][0-9]*(?:\.[0-9]*)?|[0-9]*\.[0-9]*[1-9][0-9]*)`
	durationUnit      = `(?:ns|us|µs|μs|ms|s|m|h)`
	cronField         = `[0-9A-Za-z*/,?-]+`
	// The distribution reference grammar: optional registry host[:port],
	// lowercase path components, optional tag and digest.
	imageRegistry     = `(?:([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)/)?`
	imageRepository   = `([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)`
	imageTag          = `(?::([\w][\w.-]{0,127}))`
	imageDigest       = `(?:@(sha256:[a-f0-9]{64}))`
	imageRefPattern   = `^` + imageRegistry + imageRepository + imageTag + `?` + imageDigest + `?$`
	imageRefMaxLength = 512
	// PinnedImagePattern is an image reference with a tag or a digest (the
	// tag latest alone is refused separately: see imagesPinned).
	PinnedImagePattern = `^` + imageRegistry + imageRepository + `(?:` + imageTag + imageDigest + `?|` + imageDigest + `)$`
	// GRPCServicePattern is what a GRPCRoute Exact method match accepts as
	// a service name (the Gateway API CRD's CEL rule).
	GRPCServicePattern = `^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$`
)

// Formats is every named syntax a validate tag in types.go may use.
var Formats = []Format{
	{
		Tag: "dnslabel", Name: "DNS label",
		Words:     "Lowercase letters, digits and `-`; starts with a letter, ends with a letter or digit; at most 63 characters.",
		Examples:  []string{"orders-db"},
		Pattern:   dnsLabelPattern,
		MaxLength: validation.DNS1123LabelMaxLength,
		Problem: func(s string) string {
			if len(s) > validation.DNS1123LabelMaxLength {
				return fmt.Sprintf("is longer than %d characters", validation.DNS1123LabelMaxLength)
			}
			return "is not a valid name: use lowercase letters, digits and '-', start with a letter, end with a letter or digit"
		},
	},
	{
		// A port number without leading zeros, or a port name as Kubernetes
		// names container and Service ports (IANA_SVC_NAME: at most 15
		// characters; the rule against "--" is left to the callee's port,
		// which a call must name anyway).
		Tag: "portref", Name: "port",
		Words:     "A port number 1–65535, or a port name: lowercase letters, digits and `-`, starting with a letter, ending with a letter or digit, at most 15 characters.",
		Examples:  []string{"grpc", "\"9090\""},
		Pattern:   `^(` + portNumberPattern + `|[a-z]([-a-z0-9]{0,13}[a-z0-9])?)$`,
		MaxLength: 15,
		Invalid:   "%q is not a port number (1-65535) or port name (e.g. grpc, http)",
	},
	{
		// Kubernetes' own check (IsValidPortName): the names the API
		// server accepts for container ports and Service target ports.
		Tag: "portname", Name: "port name",
		Words:     "An IANA service name, what Kubernetes accepts as a container port's name: lowercase letters, digits and `-`, at least one letter, starting and ending with a letter or digit, no `--`; at most 15 characters.",
		Examples:  []string{"admin", "http-admin"},
		Pattern:   `^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$`,
		Exclude:   `^[-0-9]*$|--`,
		MaxLength: 15,
		Check:     func(s string) bool { return len(validation.IsValidPortName(s)) == 0 },
		Invalid:   "%q is not a port name: at most 15 lowercase letters, digits and '-', with at least one letter, no '-' at either end and no '--' (e.g. admin, http-admin)",
	},
	{
		Tag: "dnssubdomain", Name: "DNS subdomain",
		Words:     "Lowercase letters, digits, `-` and `.`; starts and ends with a letter or digit; at most 253 characters.",
		Examples:  []string{"letsencrypt-prod", "gp3.encrypted"},
		Pattern:   "^" + dnsSubdomainBody + "$",
		MaxLength: validation.DNS1123SubdomainMaxLength,
		Check:     func(s string) bool { return len(validation.IsDNS1123Subdomain(s)) == 0 },
		Invalid:   "%q is not a valid DNS subdomain",
	},
	{
		// Lower-case DNS labels of at most 63, the last one starting with a
		// letter, at least two; no trailing dot.
		Tag: "domain", Name: "domain name",
		Words:     "A DNS name the edge builds host names on: at least two dot-separated labels of lower-case letters, digits and `-`, each starting and ending with a letter or digit and at most 63 characters, the last one starting with a letter; at most 253 characters; no trailing `.`, scheme, port or path. Every host name built on it (`<host>.<domain>`, `<host>.<env>.<domain>`) must keep within the same limits (see [Cross-field rules](#cross-field-rules)).",
		Examples:  []string{"shop.example.com"},
		Pattern:   "^" + domainLabel + `(\.` + domainLabel + `)*\.[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`,
		MaxLength: validation.DNS1123SubdomainMaxLength,
		Check:     func(s string) bool { return DomainProblem(s) == "" },
		Problem:   DomainProblem,
	},
	{
		// go-playground/validator checks it (hostname_port: an optional RFC
		// 1123 host name, then a port 1-65535; or fqdn, a domain name).
		Tag: "hostname_port|fqdn", Name: "registry host",
		Words:    "A registry host name, optionally with a port (`host:port`); no scheme and no path.",
		Examples: []string{"ghcr.io", "registry.example.com:5000"},
		Pattern:  `^(?:(` + hostnameRFC1123 + `)?:` + portPattern + `|` + fqdnBody + `)$`,
		Inexact:  "a domain's 253-character limit is not checked",
		Builtin:  true,
		Invalid:  "%q is not a registry host (registry.example.com or host:port, no scheme or path)",
	},
	{
		// The pattern: a DNS subdomain or an IPv4 address (both match the
		// subdomain pattern), or an IPv6 address in brackets (only its
		// characters), then a port.
		Tag: "hostport", Name: "host:port",
		Words:    "A host (DNS subdomain or IP address; IPv6 in brackets) and a port 1–65535, separated by `:`.",
		Examples: []string{"jobs.mq.example.internal:5671"},
		Pattern:  `^(` + dnsSubdomainBody + `|\[[0-9A-Fa-f:.]+\]):` + portPattern + `$`,
		Inexact:  "inside brackets only the characters of an IPv6 address are checked, and the host's 253-character limit is not",
		Check:    validHostPort,
		Invalid:  "%q is not host:port",
	},
	{
		Tag: "imageref", Name: "image reference",
		Words:     "A container image reference: optional `registry[:port]/`, a lowercase repository path, an optional `:tag` and an optional `@sha256:<64 hex digits>`; at most 512 characters. The image must also be pinned (see [Cross-field rules](#cross-field-rules)).",
		Examples:  []string{"ghcr.io/acme/web:1.4.2"},
		Pattern:   imageRefPattern,
		MaxLength: imageRefMaxLength,
		Invalid:   "%q is not a valid image reference (registry/repository:tag or @sha256:digest)",
	},
	{
		Tag: "labelvalue", Name: "label value",
		Words:     "A Kubernetes label value: empty, or at most 63 letters, digits, `-`, `_` and `.` that starts and ends with a letter or digit.",
		Examples:  []string{"gpu", "spot-2026.01"},
		Pattern:   `^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`,
		MaxLength: validation.LabelValueMaxLength,
		Check:     func(s string) bool { return len(validation.IsValidLabelValue(s)) == 0 },
		Invalid:   "%q is not a valid label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
	},
	{
		// The pattern: an optional DNS-subdomain prefix and '/', then a name of
		// at most 63 characters; the prefix's own limit of 253 is bounded only
		// by the total length.
		Tag: "labelkey", Name: "label key",
		Words:     "A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 letters, digits, `-`, `_` and `.` that starts and ends with a letter or digit.",
		Examples:  []string{"nvidia.com/gpu"},
		Pattern:   `^(` + dnsSubdomainBody + `/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`,
		Inexact:   "the prefix's own 253-character limit is bounded only by the total of 317",
		MaxLength: 317,
		Check:     func(s string) bool { return len(validation.IsQualifiedName(s)) == 0 },
		Invalid:   "%q is not a valid label key",
	},
	{
		// The pattern: a number with at least one non-zero digit and an
		// optional binary, decimal or exponent suffix; the check parses it.
		Tag: "quantity", Name: "quantity",
		Words:    "A positive Kubernetes quantity: a number with an optional suffix (`m` for thousandths, `k`, `M`, `G`, … or `Ki`, `Mi`, `Gi`, …).",
		Examples: []string{"250m", "\"1\"", "512Mi", "20Gi"},
		Pattern:  `^\+?` + numberWithNonZero + `(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$`,
		Inexact:  "shape only: `resource.ParseQuantity` decides about rounding and size limits (no sample disagrees)",
		Check:    validQuantity,
		Invalid:  "%q is not a positive Kubernetes quantity (e.g. 250m, 1, 512Mi, 20Gi)",
	},
	{
		// The Gateway API's rule on an HTTPRoute Exact or PathPrefix path (its
		// CRD's CEL rules): RFC 3986 path characters, % only as the start of a
		// %XX escape; excluded are what the same rules, and the Ingress
		// validation of the API server, refuse on top: dot segments, an empty
		// segment, an encoded '/'. The length is the Gateway API's limit.
		Tag: "urlpath", Name: "URL path",
		Words:     "What the Gateway API and Ingress accept as a path prefix: starts with `/`; letters, digits, `._~!$&'()*+,;=:@/-` and `%XX` escapes only (no spaces, no query, no `#`); no empty segment (`//`), no `.` or `..` segment, no encoded `/` (`%2F`); at most 1024 characters.",
		Examples:  []string{"/", "/api/v1"},
		Pattern:   `^/(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})*$`,
		Exclude:   `(^|/)\.\.?(/|$)|//|%2[fF]`,
		MaxLength: 1024,
		Invalid:   "%q is not a URL path the Gateway API and Ingress accept: start with '/', use RFC 3986 path characters and %%XX escapes, no '//', no '.' or '..' segments, no %%2F, at most 1024 characters",
	},
	{
		Tag: "envname", Name: "variable name",
		Words:    "An environment variable name: letters, digits and `_`, not starting with a digit.",
		Examples: []string{"LOG_LEVEL"},
		Pattern:  `^[A-Za-z_][A-Za-z0-9_]*$`,
		Invalid:  "%q is not a valid environment variable name",
	},
	{
		Tag: "secretref", Name: "secret reference",
		Words:    "A key in the secret store: one or more `/`-separated segments of letters, digits, `_`, `.` and `-`, optionally followed by `#property` to pick one property of a structured secret; no `.` or `..` segments.",
		Examples: []string{"payments/stripe-api-key", "db/orders#password"},
		Pattern:  `^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*(#[A-Za-z0-9_.-]+)?$`,
		Exclude:  `(^|[/#])\.\.?([/#]|$)`,
		Invalid:  "%q is not a secret-store key (path/to/key or path/to/key#property)",
	},
	{
		// The pattern is the shape only: five fields of cron characters or a
		// descriptor, and no TZ= or CRON_TZ= prefix; the check parses the
		// ranges as the API server does.
		Tag: "cron", Name: "cron schedule",
		Words:    "What the API server accepts as a CronJob schedule, parsed the same way (robfig/cron `ParseStandard`): five space-separated fields, minute (0–59) hour (0–23) day-of-month (1–31) month (1–12 or `JAN`–`DEC`) day-of-week (0–6 or `SUN`–`SAT`), each `*`, a value, a range `a-b`, a list `a,b` or a step `*/n`; or `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, `@every <duration>`. No `TZ=` or `CRON_TZ=` prefix (the API server refuses it on new CronJobs): a cronjob service's schedule runs in its `timeZone`, backups and restore tests in UTC.",
		Examples: []string{"0 3 * * *"},
		Pattern:  `^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every \S+|\s*` + cronField + `(\s+` + cronField + `){4}\s*)$`,
		Inexact:  "shape only: the loader parses the schedule as the API server does (field ranges, names, steps, `@every` durations)",
		Exclude:  `TZ`,
		Check:    func(s string) bool { return CronProblem(s) == "" },
		Problem:  func(s string) string { return "is not a cron schedule the API server accepts: " + CronProblem(s) },
	},
	{
		// The pattern is the shape of a zone name; the check loads it from
		// the time zone database compiled into platformctl (time/tzdata),
		// as the API server loads a CronJob's timeZone.
		Tag: "timezone", Name: "time zone",
		Words:    "An IANA time zone name as the API server accepts it for a CronJob's `timeZone`: `Area/Location` from the tz database (`Europe/Berlin`, `America/New_York`) or `UTC`, `Etc/UTC`; not `Local`, which is the controller's machine's.",
		Examples: []string{"Europe/Berlin", "Etc/UTC"},
		Pattern:  `^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$`,
		Exclude:  `^[Ll][Oo][Cc][Aa][Ll]$`,
		Inexact:  "shape only: the loader looks the name up in the tz database",
		Check:    validTimeZone,
		Problem:  timeZoneProblem,
	},
	{
		// The pattern: a decimal number strictly between 0 and 100, without
		// exponent (the check, strconv.ParseFloat, also reads 9.99e1).
		Tag: "percent", Name: "percentage",
		Words:    "A decimal number strictly between 0 and 100, written as a string.",
		Examples: []string{"\"99.9\""},
		Pattern:  `^\+?0*(?:[1-9][0-9]?(?:\.[0-9]*)?|\.[0-9]*[1-9][0-9]*)$`,
		Inexact:  "no exponent: the loader also takes `9.99e1`",
		Check:    validPercent,
		Invalid:  `%q is not a percentage between 0 and 100 (e.g. "99.9")`,
	},
	{
		// The pattern: a sequence of numbers with units, not all of them zero.
		Tag: "duration", Name: "duration",
		Words:    "A positive Go duration: numbers with units `ns`, `us`, `ms`, `s`, `m`, `h`.",
		Examples: []string{"300ms", "1h30m"},
		Pattern:  `^\+?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)` + durationUnit + `)+$`,
		Inexact:  "the loader also refuses what rounds to zero (`0.1ns`) and what overflows (`9999999999999999999h`)",
		Exclude:  `^\+?(?:(?:0+(?:\.0*)?|\.0+)` + durationUnit + `)+$`,
		Check:    validDuration,
		Invalid:  "%q is not a positive duration (e.g. 300ms, 1h)",
	},
	{
		Tag: "relpath", Name: "relative path",
		Words:    "A clean relative path inside the repository: no leading `/`, no `\\`, no `.` or `..` segments, no `//` and no trailing `/`.",
		Examples: []string{"deploy", "clusters/prod"},
		Pattern:  `^[^/\\]+(/[^/\\]+)*$`,
		Exclude:  `(^|/)\.\.?(/|$)`,
		Check:    validRelPath,
		Invalid:  "%q is not a relative path inside the repository",
	},
	{
		// The pattern: relative, slash-separated, no empty, . or .. segment
		// (io/fs.ValidPath, what os.Root opens), no backslash.
		Tag: "specfile", Name: "path next to the spec",
		Words:    "A file's path relative to the directory of platform.yaml, with `/` between directories: no leading `/`, no `\\`, no `.` or `..` segments, no `//` and no trailing `/`. The file itself must stay inside that directory (see [Cross-field rules](#cross-field-rules)).",
		Examples: []string{"config/web.yaml", "app.toml"},
		Pattern:  `^[^/\\\x00]+(/[^/\\\x00]+)*$`,
		Exclude:  `(^|/)\.\.?(/|$)`,
		Check:    validSpecFile,
		Invalid:  "%q is not a path next to the spec: write it relative to the directory of platform.yaml, with no leading '/', no '..' or '.' segments, no '\\' and no '//'",
	},
	{
		// The pattern: absolute, no empty, . or .. segment, no trailing /,
		// no backslash, colon or space.
		Tag: "mountpath", Name: "mount path",
		Words:     "An absolute, clean directory path in the container: starts with `/`, is not `/` itself, no `.` or `..` segments, no `//`, no trailing `/`, no `\\`, `:` or spaces; at most 1024 characters.",
		Examples:  []string{"/etc/web", "/app/config"},
		Pattern:   `^(/[^/\\:\s\x00]+)+$`,
		Exclude:   `(^|/)\.\.?(/|$)`,
		MaxLength: 1024,
		Check:     validMountPath,
		Invalid:   "%q is not an absolute directory path: start with '/', no '..' or '.' segments, no '//', no trailing '/', no '\\', ':' or spaces",
	},
	{
		// Kubernetes' own check (IsConfigMapKey): the key is the file's name
		// in the mounted directory.
		Tag: "configkey", Name: "ConfigMap key",
		Words:     "A file name that is a valid ConfigMap key: letters, digits, `-`, `_` and `.`; not `.` and not starting with `..`; at most 253 characters. It is the file's name in the mounted directory (no `/`: one directory per service).",
		Examples:  []string{"app.yaml", "log4j2.xml"},
		Pattern:   `^[-._a-zA-Z0-9]+$`,
		Exclude:   `^\.(\.|$)`,
		MaxLength: validation.DNS1123SubdomainMaxLength,
		Check:     validConfigKey,
		Invalid:   "%q is not a ConfigMap key (the file's name): use letters, digits, '-', '_' and '.', at most 253 characters, not '.' and not starting with '..' (no '/': files sit in mountPath)",
	},
	{
		// The pattern is the shape only: https:// or ssh:// with a host and a
		// path, or scp-like user@host:path; the check also judges the host.
		// No JSON Schema "format": validators that assert formats each judge
		// URIs their own way, and strict ones refuse a format they do not know.
		Tag: "gitrepourl", Name: "Git repository URL",
		Words:    "Where Argo CD or Flux clones the rendered tree from: `https://host/path`, `ssh://[user@]host[:port]/path`, or (Argo CD only) the scp-like `user@host:path`. No other scheme: plain `http://` would let anyone on the network path change what the cluster deploys, and `file:`, `git:` and the like are not repositories a cluster controller should read. No credentials in the URL (give them to Argo CD or Flux as a repository secret), no query or fragment.",
		Examples: []string{"https://github.com/acme/shop-deploy", "git@github.com:acme/shop-deploy.git"},
		Pattern:  `^(https://[^\s/?#@]+/|ssh://[^\s/?#]+/|[^\s/@:]+@[^\s/@:]+:)[^\s?#]*[^\s/?#][^\s?#]*$`,
		Inexact:  "the loader also checks the host as a DNS name or IP address",
		Check:    func(s string) bool { return GitRepoURLProblem(s) == "" },
		Problem:  GitRepoURLProblem,
	},
	{
		Tag: "httpsurl", Name: "https URL",
		Words:    "An `https://` URL with a host and no credentials, query or fragment.",
		Examples: []string{"https://token.actions.githubusercontent.com"},
		Pattern:  `^https://[^\s/?#@]+(/[^\s?#]*)?$`,
		Inexact:  "the loader also checks the host as a DNS name or IP address",
		Check:    validHTTPSURL,
		Invalid:  "%q is not an https URL with a host (e.g. https://token.actions.githubusercontent.com)",
	},
	{
		// The pattern: the shape of an IPv4 or IPv6 address and a prefix
		// length; the check parses it with net/netip.
		Tag: "ipprefix", Name: "CIDR",
		Words:    "An IPv4 or IPv6 network in CIDR notation, as `net/netip` parses it: the network address (no host bits set, no zone) and a prefix length.",
		Examples: []string{"203.0.113.0/24", "2001:db8::/32"},
		Pattern:  `^([0-9]{1,3}(\.[0-9]{1,3}){3}/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$`,
		Inexact:  "shape and prefix length only: the loader parses the address with `net/netip` (octets above 255, a malformed IPv6 address) and refuses host bits",
		Check:    validPrefix,
		Problem:  prefixProblem,
	},
	{
		// A domain of at least two labels, optionally after "*." (one more
		// label, as Cilium's matchPattern reads it).
		Tag: "egresshost", Name: "egress host",
		Words:     "A DNS name of at least two dot-separated labels of lower-case letters, digits and `-` (each starting and ending with a letter or digit, at most 63 characters, the last one starting with a letter; at most 253 characters in all), optionally preceded by `*.` for any one further label: `api.stripe.com`, `*.stripe.com`. No trailing `.`, scheme, port or path.",
		Examples:  []string{"api.stripe.com", "\"*.stripe.com\""},
		Pattern:   `^(\*\.)?` + domainLabel + `(\.` + domainLabel + `)*\.[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`,
		MaxLength: validation.DNS1123SubdomainMaxLength,
		Check:     func(s string) bool { return EgressHostProblem(s) == "" },
		Problem:   EgressHostProblem,
	},
	{
		// IAM's own limits: a role name of at most 64 characters, a path of
		// the same characters, the whole ARN at most 2048.
		Tag: "iamrolearn", Name: "IAM role ARN",
		Words:     "An AWS IAM role ARN, `arn:<partition>:iam::<12-digit account>:role/<name>`: the partition `aws`, `aws-cn` or `aws-us-gov`; an optional path before the name (`role/team/name`); a name of at most 64 letters, digits and `+=,.@_-`.",
		Examples:  []string{"arn:aws:iam::111122223333:role/shop-orders"},
		Pattern:   iamRoleARNPattern,
		MaxLength: 2048,
		Problem:   IAMRoleARNProblem,
	},
	{
		// IAM's rules for a service account ID and a project ID: 6-30
		// characters each, lower-case letters, digits and '-', starting with
		// a letter, not ending with '-'.
		Tag: "gcpserviceaccount", Name: "Google service account",
		Words:    "A Google IAM service account email of a project, `<name>@<project>.iam.gserviceaccount.com`: name and project ID 6–30 lower-case letters, digits and `-` each, starting with a letter, not ending with `-`. Not a Google-managed account (`…@developer.gserviceaccount.com`, `…@cloudservices.gserviceaccount.com`).",
		Examples: []string{"shop-orders@shop-prod.iam.gserviceaccount.com"},
		Pattern:  `^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$`,
		Invalid:  "%q is not a Google service account of a project (<name>@<project>.iam.gserviceaccount.com, name and project 6-30 lower-case letters, digits and '-')",
	},
	{
		Tag: "storageaccount", Name: "Azure storage account",
		Words:    "An Azure storage account name: 3–24 lower-case letters and digits.",
		Examples: []string{"shopbackups"},
		Pattern:  `^[a-z0-9]{3,24}$`,
		Invalid:  "%q is not an Azure storage account name (3-24 lower-case letters and digits)",
	},
	{
		Tag: "entraid", Name: "Entra ID",
		Words:    "A Microsoft Entra (Azure AD) ID, a GUID: 32 hexadecimal digits in groups of 8-4-4-4-12 separated by `-`.",
		Examples: []string{"8c1f0f4e-5b2a-4d7e-9a3b-2f6d1c0e9b7a"},
		Pattern:  `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`,
		Invalid:  "%q is not a GUID (8-4-4-4-12 hexadecimal digits, e.g. 8c1f0f4e-5b2a-4d7e-9a3b-2f6d1c0e9b7a)",
	},
}
