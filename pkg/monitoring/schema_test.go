package monitoring

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/crdschema"
)

// crdPath is the PrometheusRule CRD the e2e tier installs (testdata/crds/README.md).
var crdPath = filepath.Join("..", "..", "testdata", "crds", "prometheus-operator", "monitoring.coreos.com_prometheusrules.yaml")

func TestPrometheusRuleValidatesAgainstCRD(t *testing.T) {
	sch, err := crdschema.Compile(crdPath, "v1")
	require.NoError(t, err)
	for name, target := range matrix() {
		t.Run(name, func(t *testing.T) {
			js, err := json.Marshal(prometheusRule(target))
			require.NoError(t, err)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
			require.NoError(t, err)
			assert.NoError(t, sch.Validate(inst))
		})
	}
	// The schema is not vacuous: a bad duration and an unknown field fail.
	bad := `{"apiVersion":"monitoring.coreos.com/v1","kind":"PrometheusRule","metadata":{},"spec":{"groups":[{"name":"g","rules":[{"alert":"A","expr":"up","for":"5 minutes"}]}]}}`
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
	require.NoError(t, err)
	assert.Error(t, sch.Validate(inst))
	unknown := `{"apiVersion":"monitoring.coreos.com/v1","kind":"PrometheusRule","metadata":{},"spec":{"groups":[{"name":"g","rules":[{"alert":"A","expr":"up","severity":"x"}]}]}}`
	inst, err = jsonschema.UnmarshalJSON(strings.NewReader(unknown))
	require.NoError(t, err)
	assert.Error(t, sch.Validate(inst))
}

// grafanaVars are the dashboard variables a query may hold, and what the test
// substitutes before parsing it as PromQL: the namespaces are those the eval
// tests' series are in.
var grafanaVars = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h",
	"$"+NamespaceVariable, "apps", "$"+DataNamespaceVariable, "data")

// namespaceMatcherRE finds every namespace matcher of a query.
var namespaceMatcherRE = regexp.MustCompile(`namespace\s*(=~|!~|!=|=)\s*"([^"]*)"`)

type dashJSON struct {
	UID        string   `json:"uid"`
	Title      string   `json:"title"`
	Tags       []string `json:"tags"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Query      string `json:"query"`
			Definition string `json:"definition"`
			Datasource *struct {
				Type string `json:"type"`
				UID  string `json:"uid"`
			} `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID      int    `json:"id"`
		Type    string `json:"type"`
		Title   string `json:"title"`
		GridPos *struct {
			H, W, X, Y int
		} `json:"gridPos"`
		Datasource *struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			RefID      string `json:"refId"`
			Expr       string `json:"expr"`
			Datasource struct {
				UID string `json:"uid"`
			} `json:"datasource"`
		} `json:"targets"`
	} `json:"panels"`
}

func TestDashboardMatrix(t *testing.T) {
	dateRE := regexp.MustCompile(`\d{4}-\d{2}-\d{2}|"(id|version|iteration|created|updated)":`)
	for name, target := range matrix() {
		t.Run(name, func(t *testing.T) {
			raw, err := Dashboard(target)
			require.NoError(t, err)
			require.True(t, json.Valid(raw))
			var top map[string]any
			require.NoError(t, json.Unmarshal(raw, &top))
			for _, k := range []string{"id", "version", "iteration"} {
				assert.NotContains(t, top, k, "no instance-specific field at the top")
			}
			var d dashJSON
			require.NoError(t, json.Unmarshal(raw, &d))
			assert.Equal(t, DashboardUID(target.Platform, target.Service), d.UID)
			assert.Equal(t, target.Platform+" / "+target.Service, d.Title)
			vars := d.Templating.List
			wantVars := 2
			if len(target.dependencies()) > 0 {
				wantVars = 3
			}
			require.Len(t, vars, wantVars)
			assert.Equal(t, DatasourceVariable, vars[0].Name)
			assert.Equal(t, "datasource", vars[0].Type)
			assert.Equal(t, "prometheus", vars[0].Query)
			declared := map[string]bool{}
			for i, v := range vars {
				declared[v.Name] = true
				if i == 0 {
					continue
				}
				assert.Equal(t, []string{NamespaceVariable, DataNamespaceVariable}[i-1], v.Name)
				assert.Equal(t, "query", v.Type, v.Name)
				require.NotNil(t, v.Datasource, v.Name)
				assert.Equal(t, "${datasource}", v.Datasource.UID, v.Name)
				assert.Equal(t, v.Query, v.Definition, v.Name)
				assert.Regexp(t, `^label_values\(up\{[^}]+\}, namespace\)$`, v.Query, v.Name)
				_, err := promParser.ParseExpr(strings.TrimSuffix(strings.TrimPrefix(v.Query, "label_values("), ", namespace)"))
				assert.NoError(t, err, v.Query)
			}

			ids := map[int]bool{}
			occupied := map[[2]int]int{}
			queries := 0
			for _, p := range d.Panels {
				assert.Positive(t, p.ID, p.Title)
				assert.False(t, ids[p.ID], "panel id %d twice", p.ID)
				ids[p.ID] = true
				require.NotNil(t, p.GridPos, p.Title)
				g := p.GridPos
				assert.True(t, g.W > 0 && g.H > 0 && g.X >= 0 && g.Y >= 0 && g.X+g.W <= 24, "%s: gridPos %+v", p.Title, *g)
				for x := g.X; x < g.X+g.W; x++ {
					for y := g.Y; y < g.Y+g.H; y++ {
						assert.Zero(t, occupied[[2]int{x, y}], "%s overlaps panel %d", p.Title, occupied[[2]int{x, y}])
						occupied[[2]int{x, y}] = p.ID
					}
				}
				if p.Type == "row" {
					continue
				}
				require.NotNil(t, p.Datasource, p.Title)
				assert.Equal(t, "${datasource}", p.Datasource.UID)
				require.NotEmpty(t, p.Targets, p.Title)
				refs := map[string]bool{}
				for _, q := range p.Targets {
					queries++
					assert.False(t, refs[q.RefID], "%s: refId %s twice", p.Title, q.RefID)
					refs[q.RefID] = true
					assert.Equal(t, "${datasource}", q.Datasource.UID)
					_, err := promParser.ParseExpr(grafanaVars.Replace(q.Expr))
					require.NoError(t, err, "%s: %s", p.Title, q.Expr)
					assert.NotContains(t, grafanaVars.Replace(q.Expr), "$", "%s: unknown variable", p.Title)
					// Every selector is narrowed to the chosen namespace,
					// by a variable: no environment's literal.
					ms := namespaceMatcherRE.FindAllStringSubmatch(q.Expr, -1)
					assert.Equal(t, strings.Count(q.Expr, "{"), len(ms), "%s: a namespace matcher in every selector: %s", p.Title, q.Expr)
					for _, m := range ms {
						assert.Equal(t, "=", m[1], "%s: %s", p.Title, q.Expr)
						require.True(t, strings.HasPrefix(m[2], "$"), "%s: namespace literal in %s", p.Title, q.Expr)
						assert.True(t, declared[m[2][1:]], "%s: undeclared variable %s", p.Title, m[2])
					}
				}
			}
			assert.Greater(t, queries, 3)
			assert.NotRegexp(t, dateRE, stripPanelIDs(raw), "no timestamps or instance ids")
		})
	}
}

// stripPanelIDs removes the panels' own "id" keys, which are positions, not
// instance ids, before the timestamp check.
func stripPanelIDs(raw []byte) string {
	return regexp.MustCompile(`"id": \d+,`).ReplaceAllString(string(raw), "")
}

func TestDashboardShape(t *testing.T) {
	titles := func(target Target) []string {
		raw, err := Dashboard(target)
		require.NoError(t, err)
		var d dashJSON
		require.NoError(t, json.Unmarshal(raw, &d))
		var out []string
		for _, p := range d.Panels {
			out = append(out, p.Title)
		}
		return out
	}
	server := titles(goldenTargets["web"])
	for _, want := range []string{"Requests per second", "Error rate (4xx / 5xx)", "Latency P50 / P95 / P99", "CPU vs limit", "Memory vs limit", "Replicas", "orders-db (postgres)", "cache (redis)"} {
		assert.Contains(t, server, want)
	}
	assert.Contains(t, titles(goldenTargets["orders"]), "Errors by code")
	worker := titles(goldenTargets["email-worker"])
	for _, want := range []string{"Messages processed per second", "Queue depth: jobs", "Dead-letter depth: jobs.dead-letter", "jobs (rabbitmq, managed)"} {
		assert.Contains(t, worker, want)
	}
	assert.NotContains(t, worker, "Requests per second")
	assert.NotContains(t, titles(goldenTargets["events-worker"]), "Dead-letter depth: events.dead-letter")
}

func TestDashboardUID(t *testing.T) {
	a := DashboardUID("shop", "web")
	assert.Equal(t, a, DashboardUID("shop", "web"))
	assert.NotEqual(t, a, DashboardUID("blog", "web"), "two platforms in one Grafana")
	assert.NotEqual(t, a, DashboardUID("shop", "api"))
	assert.LessOrEqual(t, len(a), 40)
	assert.Regexp(t, `^[a-z0-9-]+$`, a)
	_, err := Dashboard(Target{})
	assert.Error(t, err)
	_, err = Dashboard(Target{Service: "web"})
	assert.Error(t, err, "no platform, no uid")
}

// TestDashboardNamesNoEnvironment: nothing in the JSON but the variables
// says where it runs, so every environment renders the same bytes.
func TestDashboardNamesNoEnvironment(t *testing.T) {
	raw, err := Dashboard(goldenTargets["web"])
	require.NoError(t, err)
	var d dashJSON
	require.NoError(t, json.Unmarshal(raw, &d))
	assert.Equal(t, []string{"platformctl", "shop", "server"}, d.Tags)
	for _, word := range []string{"production", "staging", "apps\"", "data\""} {
		assert.NotContains(t, string(raw), word)
	}
}
