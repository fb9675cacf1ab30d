package output

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

// The writer's types put bodies out as inner XML; reading back needs text.
type (
	junitDoc struct {
		Tests    int             `xml:"tests,attr"`
		Failures int             `xml:"failures,attr"`
		Errors   int             `xml:"errors,attr"`
		Skipped  int             `xml:"skipped,attr"`
		Suites   []junitDocSuite `xml:"testsuite"`
	}
	junitDocSuite struct {
		Name     string         `xml:"name,attr"`
		Tests    int            `xml:"tests,attr"`
		Failures int            `xml:"failures,attr"`
		Errors   int            `xml:"errors,attr"`
		Skipped  int            `xml:"skipped,attr"`
		Cases    []junitDocCase `xml:"testcase"`
	}
	junitDocCase struct {
		Name      string `xml:"name,attr"`
		ClassName string `xml:"classname,attr"`
		Failure   *struct {
			Message string `xml:"message,attr"`
			Type    string `xml:"type,attr"`
			Body    string `xml:",chardata"`
		} `xml:"failure"`
		Skipped *struct {
			Message string `xml:"message,attr"`
			Body    string `xml:",chardata"`
		} `xml:"skipped"`
	}
)

func parseJUnit(t *testing.T, r *Report) junitDoc {
	t.Helper()
	out := render(t, JUnit, r)
	require.True(t, strings.HasPrefix(string(out), xml.Header), "starts with the XML declaration")
	var doc junitDoc
	require.NoError(t, xml.Unmarshal(out, &doc))
	return doc
}

func TestJUnitCounts(t *testing.T) {
	r := fixtureReport()
	doc := parseJUnit(t, r)

	var ids []string
	for _, rule := range r.Result.Rules {
		ids = append(ids, rule.ID)
	}
	var suites []string
	tests, failures, skipped := 0, 0, 0
	for _, s := range doc.Suites {
		suites = append(suites, s.Name)
		assert.Len(t, s.Cases, s.Tests, s.Name)
		f, sk := 0, 0
		for _, c := range s.Cases {
			assert.Equal(t, s.Name, c.ClassName)
			assert.False(t, c.Failure != nil && c.Skipped != nil, "a case is failed or skipped, not both")
			if c.Failure != nil {
				f++
			}
			if c.Skipped != nil {
				sk++
			}
		}
		assert.Equal(t, f, s.Failures, s.Name)
		assert.Equal(t, sk, s.Skipped, s.Name)
		tests, failures, skipped = tests+s.Tests, failures+s.Failures, skipped+s.Skipped
	}
	assert.ElementsMatch(t, ids, suites, "a suite per rule that ran")
	assert.Equal(t, tests, doc.Tests)
	assert.Equal(t, failures, doc.Failures)
	assert.Equal(t, skipped, doc.Skipped)
	assert.Zero(t, doc.Errors)

	// host-network and min-replicas: 2 failing objects and 1 ignored each;
	// required-labels: 1 failing (with an ignored finding on the same
	// object); ignore-without-reason: 1 failing; latest-tag and
	// ignore-unknown-rule: 1 passing each.
	assert.Equal(t, 10, doc.Tests)
	assert.Equal(t, 6, doc.Failures)
	assert.Equal(t, 2, doc.Skipped)
}

func junitCaseOf(t *testing.T, doc junitDoc, rule, object string) junitDocCase {
	t.Helper()
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if s.Name == rule && c.Name == object {
				return c
			}
		}
	}
	t.Fatalf("no case %s / %s", rule, object)
	return junitDocCase{}
}

func TestJUnitCases(t *testing.T) {
	doc := parseJUnit(t, fixtureReport())

	odd := junitCaseOf(t, doc, ruleHostNetwork, "DaemonSet kube-system/agent")
	require.NotNil(t, odd.Failure)
	assert.Equal(t, "error", odd.Failure.Type)
	assert.Equal(t, "hostNetwork: true shares 100% of the node's ports", odd.Failure.Message, "the headline is one line")
	assert.Equal(t, oddFile+":5:3: hostNetwork: true\nshares 100% of the node's ports", odd.Failure.Body)

	labels := junitCaseOf(t, doc, ruleLabels, "Deployment prod/web")
	require.NotNil(t, labels.Failure)
	assert.Equal(t, "info", labels.Failure.Type)
	assert.True(t, strings.HasPrefix(labels.Failure.Message, "2 findings; "), labels.Failure.Message)
	assert.Equal(t, 2, strings.Count(labels.Failure.Body, "\n"), "two findings and the ignored one")
	assert.Contains(t, labels.Failure.Body, "(ignored: team labels come from the chart)")

	cni := junitCaseOf(t, doc, ruleHostNetwork, "DaemonSet kube-system/cni")
	assert.Nil(t, cni.Failure)
	require.NotNil(t, cni.Skipped)
	assert.Equal(t, "ignored: CNI agent needs the host network", cni.Skipped.Message)

	pass := junitCaseOf(t, doc, ruleLatestTag, junitPassName)
	assert.Nil(t, pass.Failure)
	assert.Nil(t, pass.Skipped)
}

func TestJUnitCleanRunPassesEveryRule(t *testing.T) {
	r := emptyReport()
	doc := parseJUnit(t, r)
	assert.Equal(t, len(r.Result.Rules), doc.Tests)
	assert.Zero(t, doc.Failures)
	assert.Zero(t, doc.Skipped)
}

// Characters XML cannot carry must not make the file unparseable.
func TestJUnitEscapesHostileText(t *testing.T) {
	r := emptyReport()
	r.Result.Findings = []lint.Diagnostic{
		diag(ruleLabels, lint.Info, `a&b<c>"d'.yaml`, 1, 1, "ConfigMap", "ns", `x]]>y`, "data",
			"bell \a, nul \x00, bad utf-8 \xff, ]]> & <tag attr=\"v\">"),
	}
	doc := parseJUnit(t, r)
	c := junitCaseOf(t, doc, ruleLabels, "ConfigMap ns/x]]>y")
	require.NotNil(t, c.Failure)
	assert.Contains(t, c.Failure.Body, `a&b<c>"d'.yaml:1:1: bell`)
	assert.Contains(t, c.Failure.Body, `]]> & <tag attr="v">`)
}
