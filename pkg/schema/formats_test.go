package schema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/platformctl/platformctl/pkg/spec"
)

// TestFormatsAgreeWithLoader puts sample values into one field of a valid
// spec and asks the loader and the schema whether that field is wrong. Where
// a format is exact in the schema they must agree; where the schema's
// pattern is an approximation (docs/schema/README.md), the values they
// disagree on are listed in knownDifferences, so the document cannot
// understate them and a change in either side shows up here.
func TestFormatsAgreeWithLoader(t *testing.T) {
	sch := compile(t)
	base, err := json.Marshal(baseSpec())
	if err != nil {
		t.Fatal(err)
	}
	if d, err := spec.Parse("platform.yaml", base); err != nil || spec.Validate(d) != nil {
		t.Fatalf("the base spec is not valid: %v", err)
	}
	var inst any
	if err := json.Unmarshal(base, &inst); err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("the schema rejects the base spec: %v", err)
	}
	tried := map[string]bool{}
	for _, c := range formatCases {
		for _, v := range c.values {
			tried[c.format+" "+v] = true
			t.Run(c.format+"/"+v, func(t *testing.T) {
				doc := baseSpec()
				c.set(doc, v)
				data, err := json.Marshal(doc) // JSON is YAML: the loader reads it too
				if err != nil {
					t.Fatal(err)
				}
				loaderRejects := loaderReports(t, data, c.path(v))
				var inst any
				if err := json.Unmarshal(data, &inst); err != nil {
					t.Fatal(err)
				}
				schemaRejects := caught(reports(sch.Validate(inst)), splitPath(c.path(v)))
				want, listed := knownDifferences[c.format+" "+v]
				switch {
				case loaderRejects == schemaRejects && listed:
					t.Errorf("listed as a known difference (%s), but loader and schema agree (reject: %v)", want, loaderRejects)
				case loaderRejects != schemaRejects && !listed:
					t.Errorf("loader rejects: %v, schema rejects: %v; fix the pattern or list the difference in knownDifferences (and docs/schema/README.md)", loaderRejects, schemaRejects)
				case listed && want == "schema only" && !schemaRejects, listed && want == "loader only" && !loaderRejects:
					t.Errorf("listed as %q, but loader rejects: %v, schema rejects: %v", want, loaderRejects, schemaRejects)
				}
			})
		}
	}
	for k := range knownDifferences {
		if !tried[k] {
			t.Errorf("knownDifferences lists %q, which no case tries", k)
		}
	}
}

// knownDifferences are the values on which an approximate pattern and the
// loader disagree: "loader only" rejects, or "schema only" rejects.
var knownDifferences = map[string]string{
	// ParseFloat accepts exponents; the pattern is plain decimal notation.
	"percent 9.99e1": "schema only",
	// time.ParseDuration: below a nanosecond is zero; overflow is an error.
	"duration 0.1ns":                "loader only",
	"duration 9999999999999999999h": "loader only",
	"hostport [::::]:80":            "loader only",
	// The schema checks a schedule's shape; the loader parses it the way
	// the API server does (field ranges, @every durations).
	"cron 61 25 32 13 8":     "loader only",
	"cron a b c d e":         "loader only",
	"cron 0 3 * * 7":         "loader only",
	"cron @every 1fortnight": "loader only",
	// The host inside a URL is checked as a DNS name by the loader only.
	"gitrepourl https://-a.example.com/x":          "loader only",
	"gitrepourl git@-a:x":                          "loader only",
	"httpsurl https://-a.example.com":              "loader only",
	"hostport " + strings.Repeat("a", 254) + ":80": "loader only",
}

type formatCase struct {
	format string
	path   func(v string) string
	set    func(doc map[string]any, v string)
	values []string
}

func at(path string) func(string) string { return func(string) string { return path } }

func m(doc map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, ok := doc[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			doc[k] = next
		}
		doc = next
	}
	return doc
}

func firstService(doc map[string]any) map[string]any {
	return m(doc, "spec")["services"].([]any)[0].(map[string]any)
}

var formatCases = []formatCase{
	{"dnslabel", at("spec.edge.className"), func(d map[string]any, v string) { m(d, "spec", "edge")["className"] = v },
		[]string{"a", "web", "a-b", "a1", "1a", "-a", "a-", "A", "a_b", "a.b", "../x", strings.Repeat("a", 63), strings.Repeat("a", 64)}},
	{"dnssubdomain", at("spec.edge.tls.clusterIssuer"), func(d map[string]any, v string) { m(d, "spec", "edge", "tls")["clusterIssuer"] = v },
		[]string{"letsencrypt-prod", "gp3.encrypted", "1a", "a..b", ".a", "a.", "A", "a_b", strings.Repeat("a", 63) + "." + strings.Repeat("b", 63)}},
	{"domain", at("spec.domain"), func(d map[string]any, v string) { m(d, "spec")["domain"] = v },
		[]string{"shop.example.com", "example.com", "a.b.c.d", "shop", "Shop.example.com", "shop.example.com.", "1.2.3.4", "a.1com", "a-.example.com", "-a.example.com", "xn--bcher-kva.example",
			"hello.example-", "a.b", strings.Repeat("a", 64) + ".example.com", strings.Repeat("a", 63) + ".example.com", strings.Repeat(strings.Repeat("a", 63)+".", 4) + "com", "a_b.example.com"}},
	{"registry", at("spec.security.allowedRegistries[0]"), func(d map[string]any, v string) { m(d, "spec", "security")["allowedRegistries"] = []any{v} },
		[]string{"ghcr.io", "registry.example.com:5000", "localhost:5000", ":5000", "localhost", "https://ghcr.io", "ghcr.io/acme", "a b", "host:0", "host:65536", "host:65535", "Registry.Example.com"}},
	{"hostport", at("spec.observability.tracing.endpoint"), func(d map[string]any, v string) { m(d, "spec", "observability", "tracing")["endpoint"] = v },
		[]string{"otel:4317", "10.0.0.1:4317", "[::1]:4317", "[::::]:80", "otel", "otel:0", "otel:65536", "otel:65535", "Otel:4317", "otel:080", ":4317", "a_b:1", strings.Repeat("a", 254) + ":80"}},
	{"imageref", at("spec.observability.tracing.collectorImage"), func(d map[string]any, v string) {
		m(d, "spec", "observability", "tracing")["collectorImage"] = v
	}, []string{"otel/col", "otel/col:1.0", "ghcr.io/a/b:1", "localhost:5000/a:1", "a@sha256:" + strings.Repeat("a", 64), "A/b", "a:", "a@sha256:abc", "https://a/b", "a//b"}},
	{"pinned image", at("spec.services[0].image"), func(d map[string]any, v string) { firstService(d)["image"] = v },
		[]string{"ghcr.io/a/b:1.0", "a@sha256:" + strings.Repeat("0", 64), "a:latest@sha256:" + strings.Repeat("0", 64), "ghcr.io/a/b", "a:latest", "registry:5000/a", "registry:5000/a:1", "a:latest1"}},
	{"labelkey", at("spec.nodePools[p].taints[0].key"), func(d map[string]any, v string) {
		m(d, "spec", "nodePools", "p")["taints"] = []any{map[string]any{"key": v, "effect": "NoSchedule"}}
	}, []string{"gpu", "nvidia.com/gpu", "a.b/c_d.e-f", "spot/", "/a", "a/b/c", "_a", "a_", "A.com/a", strings.Repeat("a", 63), strings.Repeat("a", 64)}},
	{"quantity", at("spec.edge.maxBodySize"), func(d map[string]any, v string) { m(d, "spec", "edge")["maxBodySize"] = v },
		[]string{"8Mi", "250m", "1", "0.5", ".5", "1e3", "1E3", "+1", "1k", "2Gi", "0", "0.0", "-1", "16MB", "250mm", "1.5.5", "Mi", "0Mi", "0.1n"}},
	{"urlpath", at("spec.services[0].health.readiness"), func(d map[string]any, v string) { m(firstService(d), "health")["readiness"] = v },
		[]string{"/", "/ready", "/a/b.c", "/a%20b", "ready", "/a b", "/..", "/a/../b", "/./a", "/a/.", "/.well-known", "/a?b", "/a#b",
			"//x", "/a//b", "/%zz", "/a%2", "/a%2Fb", "/a%2fb", "/a%41", "/" + strings.Repeat("a", 1024)}},
	{"envname", func(v string) string { return "spec.services[0].env[" + v + "]" }, func(d map[string]any, v string) {
		firstService(d)["env"] = map[string]any{v: "x"}
	}, []string{"LOG_LEVEL", "_A", "a1", "1A", "LOG-LEVEL", "A.B"}},
	{"secretref", at("spec.services[0].secrets[TOKEN]"), func(d map[string]any, v string) { firstService(d)["secrets"] = map[string]any{"TOKEN": v} },
		[]string{"a", "a/b", "a/b#c", "a.b-c_d", "../a", "a/./b", "a#..", "a/b/", "/a", "a#b#c", "a b"}},
	{"cron", at("spec.data[0].backup.schedule"), func(d map[string]any, v string) {
		m(d, "spec")["data"] = []any{map[string]any{"name": "db", "type": "postgres", "backup": map[string]any{"schedule": v}}}
	}, []string{"0 3 * * *", "*/5 * * * *", "0 3 * * MON-FRI", "@daily", "@every 5m", "0 3 * *", "0 3 * * * *", "every day at 3", " 0 3 * * * ",
		"61 25 32 13 8", "a b c d e", "0 3 * * 7", "TZ=UTC 0 3 * * *", "CRON_TZ=UTC 0 3 * * *", "0 3 * * SAT", "@every 1fortnight"}},
	{"percent", at("spec.observability.slo.availability"), func(d map[string]any, v string) { m(d, "spec", "observability", "slo")["availability"] = v },
		[]string{"99.9", "50", "0.5", ".5", "99.", "99.999", "100", "0", "0.0", "-1", "abc", "9.99e1", "1,5"}},
	{"duration", at("spec.secrets.refreshInterval"), func(d map[string]any, v string) { m(d, "spec", "secrets")["refreshInterval"] = v },
		[]string{"1h", "300ms", "1h30m", "1.5h", "1.h", "10us", "1µs", "0s", "0", "1d", "-1h", "h", "1", "0.1ns", "9999999999999999999h"}},
	{"relpath", at("spec.cicd.path"), func(d map[string]any, v string) { m(d, "spec", "cicd")["path"] = v },
		[]string{"deploy", "clusters/prod", "a.b/c", "/deploy", "../deploy", "a/../b", "./a", "a/", "a//b", `a\b`, "."}},
	{"gitrepourl", at("spec.cicd.repoURL"), func(d map[string]any, v string) { m(d, "spec", "cicd")["repoURL"] = v },
		[]string{"https://github.com/acme/shop", "ssh://git@github.com/acme/shop.git", "ssh://git@host:2222/a/b", "git@github.com:acme/shop.git",
			"github.com/acme/shop", "https://", "https://github.com", "https://github.com/", "acme", "http://github.com/acme/shop", "javascript:alert(1)",
			"file:///etc/passwd", "git://github.com/acme/shop", "https://u:p@github.com/a", "https://github.com/a?x=1", "https://github.com/a#x",
			"https://-a.example.com/x", "git@-a:x"}},
	{"httpsurl", at("spec.security.imageVerification.issuer"), func(d map[string]any, v string) {
		m(d, "spec", "security")["imageVerification"] = map[string]any{"issuer": v, "subject": "s"}
	}, []string{"https://token.actions.githubusercontent.com", "https://a.example.com/path", "http://a.example.com", "javascript:alert(1)", "https://", "https://u@a.example.com", "https://a.example.com?x", "https://-a.example.com"}},
	{"labelvalue", at("spec.nodePools[p].taints[0].value"), func(d map[string]any, v string) {
		m(d, "spec", "nodePools", "p")["taints"] = []any{map[string]any{"key": "k", "value": v, "effect": "NoSchedule"}}
	}, []string{"a", "a-b_c.d", "A1", "-a", "a-", "a b", "a/b", strings.Repeat("a", 63), strings.Repeat("a", 64)}},
}

func baseSpec() map[string]any {
	var doc map[string]any
	if err := json.Unmarshal([]byte(`{
		"apiVersion": "platformctl.dev/v1alpha1", "kind": "Platform",
		"metadata": {"name": "shop"},
		"spec": {
			"domain": "shop.example.com",
			"environments": [{"name": "dev", "tier": "development"}],
			"services": [{"name": "web", "image": "ghcr.io/acme/web:1.0.0"}]
		}
	}`), &doc); err != nil {
		panic(err)
	}
	return doc
}

// loaderReports says whether the loader reports a problem at path.
func loaderReports(t *testing.T, data []byte, path string) bool {
	t.Helper()
	d, err := spec.Parse("platform.yaml", data)
	if d != nil {
		err = spec.Validate(d)
	}
	if err == nil {
		return false
	}
	var list spec.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("not an error list: %v", err)
	}
	for _, e := range list {
		if e.Path == path {
			return true
		}
		if e.Path != "" && !strings.HasPrefix(path, e.Path) {
			t.Logf("unrelated loader error: %v", e)
		}
	}
	return false
}

// TestNullMeansUnset: an optional key left empty (null) is "not set" to the
// loader, so the schema accepts it too; where the zero value is refused (a
// required key, a list item that must be named) both refuse null.
func TestNullMeansUnset(t *testing.T) {
	sch := compile(t)
	const valid = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata:
  name: shop
spec:
  domain: shop.example.com
  environments:
    - name: dev
      tier: development
      isolation: ~
      overrides:
  edge:
  services:
    - name: web
      image: ghcr.io/acme/web:1.0.0
      port: ~
      expose: ~
      command: [~]
      env: {A: ~}
      uses:
  nodePools: {gpu: ~}
  data:
  teams: ~
`
	check := func(src string, wantValid bool, path string) {
		t.Helper()
		d, err := spec.Parse("platform.yaml", []byte(src))
		if d != nil {
			err = spec.Validate(d)
		}
		if (err == nil) != wantValid {
			t.Errorf("loader: valid=%v, want %v: %v", err == nil, wantValid, err)
		}
		v, err := yamlToJSON([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		verr := sch.Validate(v)
		if (verr == nil) != wantValid {
			t.Errorf("schema: valid=%v, want %v: %v", verr == nil, wantValid, verr)
		}
		if !wantValid && !caught(reports(verr), splitPath(path)) {
			t.Errorf("schema does not report %s:\n%s", path, fmtReports(reports(verr)))
		}
	}
	check(valid, true, "")
	check(strings.Replace(valid, "domain: shop.example.com", "domain: ~", 1), false, "spec.domain")
	check(strings.Replace(valid, "    - name: web\n", "    - ~\n    - name: web\n", 1), false, "spec.services[0].name")
	check(strings.Replace(valid, "  nodePools: {gpu: ~}", "  nodePools: {gpu: ~}\n  security: {allowedRegistries: [~]}", 1), false, "spec.security.allowedRegistries[0]")
}
