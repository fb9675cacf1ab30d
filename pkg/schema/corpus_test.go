package schema

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/platformctl/platformctl/pkg/spec"
)

// The bad-spec corpus (testdata/specs/bad) against the schema. Every line of
// a case's golden output is one problem the loader reports; each is put in
// one class by its message:
//
//   - schema: a type, enum, const, required, range, format or unknown-field
//     problem, or one of the single-value rules of spec.Rules the schema
//     carries (pinned images, lower-case domains). The schema must report
//     it, at the same path.
//   - crossField: a rule between values. JSON Schema cannot say it, or not
//     from the field tags the schema is generated from; the rule's Schema
//     (spec.Rules) says why.
//   - yamlLevel: a problem with the YAML text itself, which a JSON Schema
//     validator never sees (it gets the parsed value).
//
// badCases then classifies every case as a whole, so a new case must be
// looked at and put in the table, and the table is checked against the
// lines: a case listed as crossField must be accepted by the schema (the
// schema rejects nothing the loader's field rules accept).
type class string

const (
	schemaClass class = "schema"
	crossField  class = "crossField"
	yamlLevel   class = "yamlLevel"
	mixed       class = "mixed" // schema and crossField lines
)

var badCases = map[string]class{
	"01-unknown-field.yaml":               schemaClass,
	"02-typo-did-you-mean.yaml":           schemaClass,
	"03-wrong-type-string-for-int.yaml":   schemaClass,
	"04-wrong-type-list-for-mapping.yaml": schemaClass,
	// Also: a YAML 1.1 date (cicd.revision: 2026-01-31) is a string to a
	// JSON Schema validator, so only the loader calls it a date.
	"05-wrong-type-int-for-string.yaml":   yamlLevel,
	"06-wrong-type-bool.yaml":             schemaClass,
	"07-bad-quantity.yaml":                schemaClass,
	"08-bad-image-reference.yaml":         schemaClass,
	"09-image-without-tag.yaml":           schemaClass,
	"10-image-latest.yaml":                schemaClass,
	"11-dangling-uses.yaml":               crossField,
	"12-dangling-consumes-queue.yaml":     crossField,
	"13-consumes-non-broker.yaml":         crossField,
	"14-duplicate-service-names.yaml":     crossField,
	"15-duplicate-environment-names.yaml": crossField,
	"16-duplicate-yaml-keys.yaml":         yamlLevel,
	"17-invalid-dns-uppercase.yaml":       schemaClass,
	"18-invalid-dns-underscore.yaml":      schemaClass,
	"19-invalid-dns-too-long.yaml":        schemaClass,
	"20-path-traversal-names.yaml":        schemaClass,
	"21-path-traversal-map-keys.yaml":     mixed,
	"22-expose-path-dotdot.yaml":          schemaClass,
	"23-missing-required.yaml":            schemaClass,
	"24-wrong-apiversion.yaml":            schemaClass,
	"25-production-single-zone.yaml":      crossField,
	"26-autoscale-min-gt-max.yaml":        mixed,
	"27-override-unknown-service.yaml":    crossField,
	"28-unknown-nodepool.yaml":            crossField,
	"29-managed-without-endpoint.yaml":    mixed,
	"30-empty.yaml":                       yamlLevel,
	"31-whitespace-comments.yaml":         yamlLevel,
	"32-not-yaml.txt":                     yamlLevel,
	"33-syntax-error-indentation.yaml":    yamlLevel,
	"34-syntax-error-tab.yaml":            yamlLevel,
	"35-syntax-error-unclosed-quote.yaml": yamlLevel,
	"36-binary.yaml":                      yamlLevel,
	"37-alias-bomb.yaml":                  yamlLevel,
	"38-merge-key.yaml":                   yamlLevel,
	"39-unknown-alias.yaml":               yamlLevel,
	"40-multi-document.yaml":              yamlLevel,
	"41-top-level-list.yaml":              schemaClass,
	"42-top-level-scalar.txt":             schemaClass,
	"43-many-errors.yaml":                 mixed,
	"44-too-many-errors.yaml":             schemaClass,
	"45-explicit-tags.yaml":               yamlLevel,
	"46-invalid-utf8.yaml":                yamlLevel,
	"47-deep-nesting.yaml":                yamlLevel,
	"48-missing-names.yaml":               schemaClass,
	"49-integer-out-of-range.yaml":        schemaClass,
	"50-allowed-registries.yaml":          schemaClass,
	"51-worker-and-canary.yaml":           mixed,
	"52-env-and-secrets.yaml":             mixed,
	"53-backup-and-storage.yaml":          schemaClass,
	"54-cicd-and-observability.yaml":      mixed,
	"55-enums.yaml":                       schemaClass,
	"56-non-string-keys.yaml":             yamlLevel,
	"57-tagged-document.yaml":             yamlLevel,
	"58-too-many-validation-errors.yaml":  schemaClass,
	"59-backup-unsupported.yaml":          mixed,
	"60-grpc-metrics-port.yaml":           crossField,
	"61-image-verification.yaml":          crossField,
	"62-image-verification-empty.yaml":    mixed,
	"63-production-images.yaml":           crossField,
	"64-gpus-without-gpu-pool.yaml":       mixed,
	"65-utf16-bom.yaml":                   yamlLevel,
	"66-utf16be-no-bom.yaml":              yamlLevel,
	"67-utf32le-no-bom.yaml":              yamlLevel,
	// 0 is below every such field's minimum in the schema already.
	"68-explicit-zero.yaml": schemaClass,
	// A JSON Schema validator sees only the number a YAML reader made of
	// the text, and readers disagree on it: the reason for the rule.
	"69-non-decimal-integers.yaml":       yamlLevel,
	"70-derived-names.yaml":              crossField,
	"71-host-names.yaml":                 schemaClass,
	"72-host-names-too-long.yaml":        crossField,
	"73-expose-paths.yaml":               mixed,
	"74-node-pool-labels.yaml":           schemaClass,
	"75-cron.yaml":                       mixed,
	"76-repo-url-argocd.yaml":            schemaClass,
	"77-repo-url-flux.yaml":              crossField,
	"78-repo-url-file.yaml":              schemaClass,
	"79-repo-url-http.yaml":              schemaClass,
	"80-cluster-names-too-long.yaml":     crossField,
	"81-managed-endpoint-ip.yaml":        crossField,
	"82-service-replicas-range.yaml":     schemaClass,
	"83-misspelled-required-fields.yaml": mixed,
	"84-cross-field-rules.yaml":          crossField,
	"85-too-many-gateway-hosts.yaml":     crossField,
	"86-call-worker.yaml":                crossField,
	"87-call-missing-service.yaml":       crossField,
	"88-call-self.yaml":                  crossField,
	"89-call-duplicate.yaml":             crossField,
	"90-call-bad-port.yaml":              mixed,
	"91-call-shape.yaml":                 schemaClass,
	"93-egress-bad-cidr.yaml":            mixed,
	"94-egress-bad-port.yaml":            mixed,
	"95-egress-duplicate.yaml":           crossField,
	"96-egress-metadata.yaml":            crossField,
	"97-egress-unknown-to.yaml":          schemaClass,
	// Files next to the spec: the schema sees only strings.
	"98-components-missing.yaml":                 crossField,
	"99-components-outside.yaml":                 crossField,
	"100-components-not-component.yaml":          crossField,
	"101-components-remote.yaml":                 crossField,
	"102-components-escape.yaml":                 crossField,
	"103-components-symlink-out.yaml":            crossField,
	"104-components-not-a-directory.yaml":        crossField,
	"105-components-unreadable-files.yaml":       crossField,
	"106-egress-host-generic.yaml":               mixed,
	"107-egress-host-calico.yaml":                crossField,
	"108-egress-host-metadata.yaml":              crossField,
	"109-managed-cidrs.yaml":                     crossField,
	"110-network-unknown-cni.yaml":               schemaClass,
	"98-identity-values.yaml":                    schemaClass,
	"99-identity-fields.yaml":                    crossField,
	"100-identity-egress.yaml":                   crossField,
	"92-call-port-decimal.yaml":                  yamlLevel,
	"98-cronjob-without-schedule.yaml":           crossField,
	"99-schedule-on-server.yaml":                 crossField,
	"100-cronjob-serving-fields.yaml":            crossField,
	"101-cronjob-bad-values.yaml":                mixed,
	"102-migrate-without-command.yaml":           mixed,
	"103-call-cronjob.yaml":                      crossField,
	"140-pod-labels-owned.yaml":                  mixed,
	"141-pod-annotations-too-large.yaml":         crossField,
	"142-ports-invalid.yaml":                     mixed,
	"143-call-extra-port.yaml":                   crossField,
	"144-volumes-invalid.yaml":                   mixed,
	"145-containers-invalid.yaml":                mixed,
	"config-01-dotdot-path.yaml":                 schemaClass,
	"config-02-absolute-path.yaml":               schemaClass,
	"config-03-symlink-out.yaml":                 crossField,
	"config-04-missing-file.yaml":                crossField,
	"config-05-file-too-large.yaml":              crossField,
	"config-06-total-too-large.yaml":             crossField,
	"config-07-bad-key.yaml":                     schemaClass,
	"config-08-mount-path.yaml":                  mixed,
	"config-09-not-text.yaml":                    crossField,
	"config-10-content-or-file.yaml":             mixed,
	"config-11-override.yaml":                    mixed,
	"promotion-01-order.yaml":                    crossField,
	"logs-01-no-endpoint.yaml":                   schemaClass,
	"logs-02-url-endpoint.yaml":                  schemaClass,
	"logs-03-agent-unpinned.yaml":                crossField,
	"peers-01-unknown-peer.yaml":                 schemaClass,
	"peers-02-twice.yaml":                        crossField,
	"111-edge-implementation-ingress-nginx.yaml": crossField,
	"112-edge-generic-refuses-policies.yaml":     crossField,
	"113-edge-istio-refuses-policies.yaml":       crossField,
	"114-edge-expose-protocol-fields.yaml":       crossField,
	"115-edge-bad-values.yaml":                   schemaClass,
	"delivery-01-combinations.yaml":              crossField,
	"delivery-02-analysis-without-metrics.yaml":  mixed,
	"mesh-01-edge-outside.yaml":                  crossField,
	"mesh-02-ingress-nginx.yaml":                 crossField,
	"mesh-03-bad-values.yaml":                    schemaClass,
	"previews-01-combinations.yaml":              crossField,
	"previews-02-from-gitlab.yaml":               mixed,
	"data-01-backup-storage.yaml":                crossField,
	"data-02-operator.yaml":                      crossField,
	"data-03-managed-security.yaml":              crossField,
}

// ruleMessages are the messages of the cross-field rules as patterns, each
// with its rule: the rule's Schema says why the schema leaves it to the
// loader, or is empty when the schema carries it.
var ruleMessages = sync.OnceValue(func() []ruleMessage {
	var out []ruleMessage
	for _, r := range spec.Rules() {
		for _, m := range r.Msgs {
			p := regexp.QuoteMeta(m)
			p = strings.NewReplacer("%q", `".*"`, "%s", `.*`, "%v", `.*`, "%d", `-?\d+`, "%U", `U\+[0-9A-F]{4,6}`).Replace(p)
			out = append(out, ruleMessage{regexp.MustCompile("^" + p + "$"), r.Schema})
		}
	}
	return out
})

// hostBits is the CIDR check's one difference from the schema's pattern:
// whether host bits are set depends on the address's value.
var hostBits = regexp.MustCompile(`^".*" has host bits set; write the network, ".*"$`)

const hostBitsReason = "whether a CIDR's host bits are set depends on the address as a number (net/netip); the schema checks the shape and the prefix length only"

// unknownZone is the time zone check's one difference from the schema's
// pattern: a well-formed name that is no zone of the tz database.
var unknownZone = regexp.MustCompile(`^".*" is not a zone of the tz database`)

const unknownZoneReason = "whether a zone exists is a lookup in the tz database (time/tzdata, as the API server loads it); the schema checks the shape only"

type ruleMessage struct {
	msg    *regexp.Regexp
	reason string
}

// cronRanges is the one field-rule difference the corpus shows: the
// schema's cron pattern checks the shape of a schedule only.
var cronRanges = regexp.MustCompile(`^".*" is not a cron schedule the API server accepts: (.*above maximum|.*below minimum|beginning of range|step of range|failed to parse int)`)

const cronReason = "the ranges of a schedule's fields need a parser (robfig/cron, as the API server uses); the schema checks the shape only"

var lineRE = regexp.MustCompile(`^[^:]+:\d+:\d+: (?:([^ ]+): )?(.*)$`)

var (
	schemaMsgRE = regexp.MustCompile(`^(unknown field |expected (a|an|true or false)\b|is required$|must be one of: |must be "|must be between |must be at (most|least) |must have at (least|most) |integer .* is out of range|".*" is not |".*" is longer than 63 characters$|".*" must be lower case without a trailing dot|".*" (needs at least \d+ dot-separated labels|must end in a top-level label|has a label of|is \d+ characters; a host name)|".*" (has the scheme|uses plain http|needs a valid host|must not carry credentials|needs the repository path|must not have a query|must not contain spaces)|".*" (has the (account|partition) |names no role|has an invalid role name))`)
	yamlMsgRE   = regexp.MustCompile(`^(invalid YAML: |file is |YAML |a second YAML document|duplicate key |keys must be|expected a string, got a date|expected true or false, got "|".*" is not an integer$|.* has a leading 0, which YAML readers|.* is not a decimal integer: )`)
)

type line struct {
	path, msg string
	class     class
}

func classify(path, msg string) class {
	switch {
	case yamlMsgRE.MatchString(msg):
		return yamlLevel
	case reasonFor(msg) != "":
		return crossField // before the schema patterns: some start with a quoted value too
	case ruleCarried(msg):
		return schemaClass
	case schemaMsgRE.MatchString(msg):
		return schemaClass
	}
	return crossField
}

func goldenLines(t *testing.T, golden string) []line {
	t.Helper()
	f, err := os.Open(golden)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var out []line
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := lineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("%s: cannot parse %q", golden, sc.Text())
		}
		if m[2] == "too many errors; stopping" {
			continue
		}
		out = append(out, line{m[1], m[2], classify(m[1], m[2])})
	}
	return out
}

func TestBadCorpusAgainstSchema(t *testing.T) {
	sch := compile(t)
	const dir = "../../testdata/specs/bad"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, ".golden") {
			continue // directories are fixtures the cases refer to
		}
		t.Run(name, func(t *testing.T) {
			want, listed := badCases[name]
			lines := goldenLines(t, filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name))+".golden"))
			counts := map[class]int{}
			for _, l := range lines {
				counts[l.class]++
			}
			got := schemaClass
			switch {
			case counts[yamlLevel] > 0:
				got = yamlLevel
			case counts[schemaClass] > 0 && counts[crossField] > 0:
				got = mixed
			case counts[crossField] > 0:
				got = crossField
			}
			if !listed {
				t.Fatalf("not classified: add %q: %s to badCases in pkg/schema/corpus_test.go (the lines say %s)", name, got, got)
			}
			if got != want {
				t.Errorf("listed as %s, but the loader's lines make it %s:\n%s", want, got, describe(lines))
			}
			for _, l := range lines {
				if l.class == crossField && reasonFor(l.msg) == "" {
					t.Errorf("cross-field message of no rule of spec.Rules, or of one without a Schema reason: %q", l.msg)
				}
			}
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			v, err := yamlToJSON(data)
			if err != nil {
				if want != yamlLevel {
					t.Fatalf("only a YAML-level case may fail to convert to JSON: %v", err)
				}
				return
			}
			verr := sch.Validate(v)
			reps := reports(verr)
			for _, l := range lines {
				if l.class == schemaClass && !caught(reps, splitPath(l.path)) {
					t.Errorf("the loader reports %s: %s; the schema does not. The schema reports:\n%s", l.path, l.msg, fmtReports(reps))
				}
			}
			if want == crossField && verr != nil {
				t.Errorf("a cross-field-only case must be accepted by the schema; it reports:\n%s", fmtReports(reps))
			}
		})
	}
}

// reasonFor says why the schema leaves the problem msg to the loader, or
// returns "" when it does not.
func reasonFor(msg string) string {
	if cronRanges.MatchString(msg) {
		return cronReason
	}
	if hostBits.MatchString(msg) {
		return hostBitsReason
	}
	if unknownZone.MatchString(msg) {
		return unknownZoneReason
	}
	for _, r := range ruleMessages() {
		if r.msg.MatchString(msg) {
			return r.reason
		}
	}
	return ""
}

// ruleCarried says whether msg is a cross-field rule the schema carries.
func ruleCarried(msg string) bool {
	for _, r := range ruleMessages() {
		if r.msg.MatchString(msg) {
			return r.reason == ""
		}
	}
	return false
}

func describe(lines []line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("  " + string(l.class) + "\t" + l.path + ": " + l.msg + "\n")
	}
	return b.String()
}
