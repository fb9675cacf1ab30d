package semdiff

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const before = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: dev-apps}
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0
          env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: dev-apps}
stringData: {password: hunter2, user: admin}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: gone, namespace: dev-apps}
`

const after = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.1.0
          env:
            - {name: NEW, value: "0"}
            - {name: A, value: "1"}
            - {name: B, value: "2"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: apps}
stringData: {password: correct-horse, user: admin}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: apps}
`

func canon(ns string) string { return strings.TrimPrefix(ns, "dev-") }

func TestCompare(t *testing.T) {
	r, err := Compare(Input{Label: "dev", YAML: []byte(before), Canon: canon}, Input{Label: "production", YAML: []byte(after), Canon: canon})
	require.NoError(t, err)
	var ids []string
	for _, o := range r.Objects {
		ids = append(ids, o.Kind+" "+o.ID)
	}
	assert.Equal(t, []string{
		"removed ConfigMap apps/gone",
		"changed Secret apps/creds",
		"changed apps/Deployment apps/web",
		"added policy/PodDisruptionBudget apps/web",
	}, ids, "matched across namespace names through Area, sorted by identity")

	var buf bytes.Buffer
	require.NoError(t, Write(&buf, r, "text"))
	out := buf.String()
	// One new env var is one change, not an index shift of A and B.
	assert.Contains(t, out, "+ spec.template.spec.containers[name=web].env[name=NEW]")
	assert.NotContains(t, out, "env[name=A]")
	assert.Contains(t, out, "~ spec.replicas: 1 → 3")
	assert.Contains(t, out, "~ spec.template.spec.containers[name=web].image: ghcr.io/acme/web:1.0.0 → ghcr.io/acme/web:1.1.0")
	assert.True(t, strings.HasPrefix(out, "dev → production: 2 objects changed, 1 object added, 1 object removed\n"), out)

	// Secrets: which key changed shows, the values never do.
	assert.Contains(t, out, "stringData.password")
	assert.NotContains(t, out, "stringData.user")
	for _, format := range Formats {
		buf.Reset()
		require.NoError(t, Write(&buf, r, format))
		assert.NotContains(t, buf.String(), "hunter2", format)
		assert.NotContains(t, buf.String(), "correct-horse", format)
	}
}

func TestFormats(t *testing.T) {
	r, err := Compare(Input{Label: "a", YAML: []byte(before)}, Input{Label: "b", YAML: []byte(before)})
	require.NoError(t, err)
	assert.True(t, r.Empty())
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, r, "text"))
	assert.Equal(t, "a → b: no differences\n", buf.String())

	r, err = Compare(Input{Label: "a", YAML: []byte(before), Canon: canon}, Input{Label: "b", YAML: []byte(after), Canon: canon})
	require.NoError(t, err)
	buf.Reset()
	require.NoError(t, Write(&buf, r, "json"))
	var back Report
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	assert.Equal(t, *r, back)

	buf.Reset()
	require.NoError(t, Write(&buf, r, "markdown"))
	md := buf.String()
	assert.Contains(t, md, "- changed `apps/Deployment apps/web` (")
	assert.Contains(t, md, "  - changed `spec.replicas`: `1` → `3`")
	assert.Contains(t, md, "- added `policy/PodDisruptionBudget apps/web`")

	assert.ErrorContains(t, Write(&buf, r, "yaml"), `unknown format "yaml"`)
}

func TestBadInput(t *testing.T) {
	_, err := Compare(Input{Label: "a", YAML: []byte("a: [")}, Input{Label: "b"})
	assert.ErrorContains(t, err, "a: ")
	dup := "kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\n---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\n"
	_, err = Compare(Input{Label: "a", YAML: []byte(dup)}, Input{Label: "b"})
	assert.ErrorContains(t, err, "ConfigMap x appears twice")
}
