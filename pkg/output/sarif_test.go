package output

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

// sarifSchemaFile is the OASIS SARIF 2.1.0 (errata 01) schema; see
// testdata/README.md for where the copy comes from.
const sarifSchemaFile = "testdata/sarif-schema-2.1.0.json"

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	// "uri" and "uri-reference" formats are where hand-built URIs go wrong
	// (spaces, colons); draft-04 asserts formats already, this makes sure.
	c.AssertFormat()
	s, err := c.Compile(sarifSchemaFile)
	require.NoError(t, err)
	return s
}

func validateSARIF(t *testing.T, s *jsonschema.Schema, doc []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	require.NoError(t, err)
	return s.Validate(inst)
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	schema := compileSARIFSchema(t)
	for name, r := range map[string]*Report{"report": fixtureReport(), "empty": emptyReport()} {
		t.Run(name, func(t *testing.T) {
			out := render(t, SARIF, r)
			if err := validateSARIF(t, schema, out); err != nil {
				t.Fatalf("%#v", err)
			}
		})
	}
}

// The validator must be able to fail, or the test above proves nothing.
func TestSARIFSchemaRejectsInvalidLogs(t *testing.T) {
	schema := compileSARIFSchema(t)
	out := string(render(t, SARIF, fixtureReport()))
	for name, broken := range map[string]string{
		"unknown level":    strings.Replace(out, `"level": "error"`, `"level": "fatal"`, 1),
		"zero line":        strings.Replace(out, `"startLine": 5`, `"startLine": 0`, 1),
		"unknown property": strings.Replace(out, `"ruleIndex"`, `"ruleIdx"`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			require.NotEqual(t, out, broken, "the replacement must apply")
			assert.Error(t, validateSARIF(t, schema, []byte(broken)))
		})
	}
}

// sarifDoc is the part of a log the tests read.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name    string      `json:"name"`
				Version string      `json:"version"`
				Rules   []sarifRule `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []sarifResult `json:"results"`
	} `json:"runs"`
}

func decodeSARIF(t *testing.T, r *Report) sarifDoc {
	t.Helper()
	var doc sarifDoc
	require.NoError(t, json.Unmarshal(render(t, SARIF, r), &doc))
	require.Len(t, doc.Runs, 1)
	return doc
}

func TestSARIFContent(t *testing.T) {
	r := fixtureReport()
	doc := decodeSARIF(t, r)
	assert.Equal(t, "https://json.schemastore.org/sarif-2.1.0.json", doc.Schema)
	assert.Equal(t, "2.1.0", doc.Version)
	run := doc.Runs[0]
	assert.Equal(t, "platformctl", run.Tool.Driver.Name)
	assert.Equal(t, "1.2.3", run.Tool.Driver.Version)

	rules := run.Tool.Driver.Rules
	require.Len(t, rules, len(r.Result.Rules), "every rule that ran, including those without findings")
	byID := map[string]sarifRule{}
	for _, rule := range rules {
		byID[rule.ID] = rule
	}
	hn := byID[ruleHostNetwork]
	assert.Equal(t, "HostNetwork", hn.Name)
	assert.Equal(t, "Pod uses the host network", hn.ShortDescription.Text)
	assert.Equal(t, "error", hn.DefaultConfiguration.Level)
	assert.Equal(t, DocsURL+"#"+ruleHostNetwork, hn.HelpURI)
	assert.Equal(t, "Remove `hostNetwork: true`, or ignore the rule with a reason.", hn.Help.Text)
	assert.Contains(t, hn.Help.Markdown, "CIS 5.2.4")
	assert.Equal(t, []string{"security"}, hn.Properties.Tags)
	assert.Equal(t, "8.0", hn.Properties.SecuritySeverity)
	assert.Equal(t, []string{"PSS baseline", "CIS 5.2.4"}, hn.Properties.References)
	assert.Equal(t, "note", byID[ruleLabels].DefaultConfiguration.Level)
	assert.Empty(t, byID[ruleReplicas].Properties.SecuritySeverity, "only security rules become security alerts")

	require.Len(t, run.Results, len(r.Result.Findings)+len(r.Result.Suppressed), "suppressed findings are results too")
	levels := map[string]int{}
	for _, res := range run.Results {
		assert.Equal(t, res.RuleID, rules[res.RuleIndex].ID, "ruleIndex points at the rule")
		levels[res.Level]++
	}
	assert.Equal(t, map[string]int{"error": 3, "warning": 4, "note": 3}, levels)
}

func findResult(t *testing.T, doc sarifDoc, object, path string) sarifResult {
	t.Helper()
	for _, res := range doc.Runs[0].Results {
		if len(res.Locations) > 0 && len(res.Locations[0].LogicalLocations) > 0 &&
			res.Locations[0].LogicalLocations[0].FullyQualifiedName == object && res.Properties != nil && res.Properties.Path == path {
			return res
		}
	}
	t.Fatalf("no result for %s at %s", object, path)
	return sarifResult{}
}

func TestSARIFLocations(t *testing.T) {
	doc := decodeSARIF(t, fixtureReport())

	odd := findResult(t, doc, "DaemonSet kube-system/agent", "spec.template.spec.hostNetwork")
	require.NotNil(t, odd.Locations[0].PhysicalLocation)
	al := odd.Locations[0].PhysicalLocation.ArtifactLocation
	assert.Equal(t, "manifests/my%20app/a%3Ab,c.yaml", al.URI)
	assert.Equal(t, "%SRCROOT%", al.URIBaseID)
	assert.Equal(t, &sarifRegion{StartLine: 5, StartColumn: 3}, odd.Locations[0].PhysicalLocation.Region)
	assert.Equal(t, "hostNetwork: true\nshares 100% of the node's ports (DaemonSet kube-system/agent)", odd.Message.Text)
	assert.Equal(t, []sarifLogicalLocation{{Name: "agent", FullyQualifiedName: "DaemonSet kube-system/agent", Kind: "resource"}},
		odd.Locations[0].LogicalLocations)

	stdin := findResult(t, doc, "StatefulSet db/pg", "spec.replicas")
	assert.Nil(t, stdin.Locations[0].PhysicalLocation, "<stdin> is no file a consumer can open")

	spec := findResult(t, doc, "Service prod/api", `metadata.annotations["ignore.platformctl.dev/host-network"]`)
	assert.Contains(t, spec.Properties.Source, "services.api")
}

// The schema's uri-reference check accepts spaces (it parses leniently),
// so URIs are held to RFC 3986's character set here.
var uriRefRE = regexp.MustCompile(`^(file://)?([A-Za-z0-9\-._~/!$&'()*+,;=@]|%[0-9A-F]{2})*$`)

func TestFileURI(t *testing.T) {
	for _, tc := range []struct{ file, uri, base string }{
		{"deploy/web.yaml", "deploy/web.yaml", "%SRCROOT%"},
		{"./deploy//web.yaml", "deploy/web.yaml", "%SRCROOT%"},
		{"../shared/x.yaml", "../shared/x.yaml", "%SRCROOT%"},
		{"a:b.yaml", "a%3Ab.yaml", "%SRCROOT%"},
		{"my app/100%.yaml", "my%20app/100%25.yaml", "%SRCROOT%"},
		{"q?#[x].yaml", "q%3F%23%5Bx%5D.yaml", "%SRCROOT%"},
		{"ünï.yaml", "%C3%BCn%C3%AF.yaml", "%SRCROOT%"},
		{"/abs/dir/x,y.yaml", "file:///abs/dir/x,y.yaml", ""},
	} {
		uri, base := fileURI(tc.file)
		assert.Equal(t, tc.uri, uri, tc.file)
		assert.Equal(t, tc.base, base, tc.file)
		assert.Regexp(t, uriRefRE, uri)
	}
}

func TestSARIFSuppressions(t *testing.T) {
	doc := decodeSARIF(t, fixtureReport())
	for _, tc := range []struct {
		object, path string
		want         sarifSuppression
	}{
		{"DaemonSet kube-system/cni", "spec.template.spec.hostNetwork", sarifSuppression{Kind: "inSource", Status: "accepted", Justification: "CNI agent needs the host network"}},
		{"Deployment dev/web", "spec.replicas", sarifSuppression{Kind: "external", Status: "accepted", Justification: "dev runs one replica until 2026-12-31"}},
	} {
		res := findResult(t, doc, tc.object, tc.path)
		assert.Equal(t, []sarifSuppression{tc.want}, res.Suppressions, tc.object)
	}
	active := findResult(t, doc, "Deployment prod/web", "spec.replicas")
	assert.Empty(t, active.Suppressions)
}

// SARIF consumers expect suppressions whatever --show-ignored says.
func TestSARIFIncludesSuppressedWithoutShowIgnored(t *testing.T) {
	r := fixtureReport()
	r.ShowIgnored = false
	doc := decodeSARIF(t, r)
	assert.Len(t, doc.Runs[0].Results, len(r.Result.Findings)+len(r.Result.Suppressed))
}

func TestSARIFFingerprints(t *testing.T) {
	base := diag(ruleHostNetwork, lint.Error, "deploy/web.yaml", 12, 7, "Deployment", "prod", "web", "spec.template.spec.hostNetwork", "pod uses the host network")
	fp := sarifFingerprint(base)

	same := map[string]func(*lint.Diagnostic){
		"moved down":        func(d *lint.Diagnostic) { d.Line, d.Column = 40, 9 },
		"reworded":          func(d *lint.Diagnostic) { d.Message = "the pod shares the node's network" },
		"severity override": func(d *lint.Diagnostic) { d.Severity = lint.Warning },
		"other OS's path":   func(d *lint.Diagnostic) { d.File = "./deploy/web.yaml" },
	}
	for name, change := range same {
		d := base
		change(&d)
		assert.Equal(t, fp, sarifFingerprint(d), name)
	}
	differ := map[string]func(*lint.Diagnostic){
		"other rule":   func(d *lint.Diagnostic) { d.RuleID = ruleLatestTag },
		"other file":   func(d *lint.Diagnostic) { d.File = "deploy/api.yaml" },
		"other object": func(d *lint.Diagnostic) { d.Object = "Deployment prod/api" },
		"other field":  func(d *lint.Diagnostic) { d.Path = "spec.template.spec.hostPID" },
	}
	for name, change := range differ {
		d := base
		change(&d)
		assert.NotEqual(t, fp, sarifFingerprint(d), name)
	}
}

// Objects rendered from one spec entry share its line; their results must
// still be told apart, and a repeated identity gets an occurrence count.
func TestSARIFFingerprintsUniqueInRun(t *testing.T) {
	r := fixtureReport()
	dup := r.Result.Findings[0]
	dup.Message += " again"
	r.Result.Findings = append(r.Result.Findings, dup)
	doc := decodeSARIF(t, r)
	seen := map[string]bool{}
	for _, res := range doc.Runs[0].Results {
		fp := res.PartialFingerprints["primaryLocationLineHash"]
		require.NotEmpty(t, fp)
		assert.Equal(t, fp, res.PartialFingerprints[fingerprintKey])
		assert.False(t, seen[fp], "duplicate fingerprint %s", fp)
		seen[fp] = true
	}
}

func TestSARIFRuleMissingFromRunStillIndexed(t *testing.T) {
	r := fixtureReport()
	r.Result.Rules = r.Result.Rules[:1]
	r.Result.Findings = append(r.Result.Findings,
		diag("not-in-catalog", lint.Info, "x.yaml", 1, 1, "ConfigMap", "", "c", "data", "from a newer catalog"))
	out := render(t, SARIF, r)
	require.NoError(t, validateSARIF(t, compileSARIFSchema(t), out))
	var doc sarifDoc
	require.NoError(t, json.Unmarshal(out, &doc))
	for _, res := range doc.Runs[0].Results {
		assert.Equal(t, res.RuleID, doc.Runs[0].Tool.Driver.Rules[res.RuleIndex].ID)
	}
}

func TestCamelCase(t *testing.T) {
	for id, want := range map[string]string{
		"host-network":          "HostNetwork",
		"ignore-without-reason": "IgnoreWithoutReason",
		"run-as-uid-0":          "RunAsUid0",
		"x":                     "X",
	} {
		assert.Equal(t, want, camelCase(id), id)
	}
}
