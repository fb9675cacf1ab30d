package generate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Names that are valid one by one but collide with a name platformctl
// derives are spec errors at the colliding entry's name.
func TestCheckNames(t *testing.T) {
	const head = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: hello}
spec:
  domain: hello.example.com
`
	const dev = "  environments: [{name: dev, tier: development}]\n"
	tests := []struct {
		name, body, want string
	}{
		{"no collision", `  services:
    - {name: web, image: ghcr.io/acme/web:1.0.0, expose: {host: www}, canary: {weight: 10, image: ghcr.io/acme/web:1.1.0}}
    - {name: api, image: ghcr.io/acme/api:1.0.0}
`, ""},
		{"a service named like another's canary", `  services:
    - {name: web, image: ghcr.io/acme/web:1.0.0, expose: {host: www}, canary: {weight: 10, image: ghcr.io/acme/web:1.1.0}}
    - {name: web-canary, image: ghcr.io/acme/web:1.0.0}
`, `p.yaml:9:14: spec.services[1].name: the name collides with another object platformctl generates: Deployment "web-canary" in the apps namespace is also generated for spec.services[0]; rename one of them`},
		{"a service named like the namespace's default-deny policy", `  services:
    - {name: default-deny, image: ghcr.io/acme/web:1.0.0}
`, `p.yaml:8:14: spec.services[0].name: the name collides with another object platformctl generates: NetworkPolicy "default-deny" in the apps namespace is also generated for the platform itself; rename one of them`},
		{"a store named like another store's backup job", `  data:
    - {name: db-backup, type: redis, mode: in-cluster}
    - {name: db, type: postgres, mode: in-cluster, backup: {schedule: "0 3 * * *"}}
  backupStorage: {provider: s3, bucket: backups, region: eu-west-1, credentials: p/backups, cidrs: [10.0.0.0/24]}
`, `p.yaml:9:14: spec.data[1].name: the name collides with another object platformctl generates: ServiceAccount "db-backup" in the data namespace is also generated for spec.data[0]; rename one of them`},
		{"a variable OpenTelemetry sets", `  services:
    - name: web
      image: ghcr.io/acme/web:1.0.0
      env: {OTEL_SERVICE_NAME: x}
  observability: {tracing: {endpoint: "collector:4317"}}
`, `p.yaml:10:32: spec.services[0].env[OTEL_SERVICE_NAME]: OTEL_SERVICE_NAME is also set by platformctl for OpenTelemetry tracing (spec.observability.tracing); remove it here`},
		{"a variable a binding sets, from an environment override", `  services:
    - {name: web, image: ghcr.io/acme/web:1.0.0, uses: [db]}
  data:
    - {name: db, type: postgres, mode: in-cluster}
  environments:
    - name: dev
      tier: development
      overrides: {services: {web: {env: {DB_HOST: other}}}}
`, `p.yaml:13:51: spec.environments[0].overrides.services[web].env[DB_HOST]: DB_HOST is also set by platformctl for the data store bindings (uses, consumes); remove it here or rename the store`},
		{"a variable named like a secret's file path", `  services:
    - name: web
      image: ghcr.io/acme/web:1.0.0
      env: {TOKEN_FILE: /x}
      secrets: {TOKEN: web/token}
`, `p.yaml:10:25: spec.services[0].env[TOKEN_FILE]: TOKEN_FILE is also set by platformctl for the secret TOKEN (its file path); rename one of them`},
		{"a variable a call sets, in env", `  services:
    - name: web
      image: ghcr.io/acme/web:1.0.0
      env: {ORDERS_ADDR: "orders:9090"}
      calls: [orders]
    - {name: orders, image: ghcr.io/acme/orders:1.0.0}
`, `p.yaml:11:15: spec.services[0].calls[0]: this call sets ORDERS_ADDR to the address of orders, and spec.services[0].env[ORDERS_ADDR] sets it too; remove that variable (the call's value is right in every environment) or the call`},
		{"a variable a call sets, from an environment override", `  services:
    - name: web
      image: ghcr.io/acme/web:1.0.0
      calls:
        - {service: card-api, port: http}
    - {name: card-api, image: ghcr.io/acme/card:1.0.0}
  environments:
    - name: dev
      tier: development
      overrides: {services: {web: {env: {CARD_API_ADDR: other}}}}
`, `p.yaml:10:11: spec.services[0].calls[0]: this call sets CARD_API_ADDR to the address of card-api, and spec.environments[0].overrides.services[web].env[CARD_API_ADDR] sets it too; remove that variable (the call's value is right in every environment) or the call`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := head + tt.body
			if !strings.Contains(tt.body, "environments:") {
				text = head + dev + tt.body
			}
			d, err := spec.Parse("p.yaml", []byte(text))
			require.NoError(t, err)
			require.NoError(t, spec.Finish(d), "each name is valid on its own")
			err = generate.CheckNames(d)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			var list spec.ErrorList
			require.ErrorAs(t, err, &list)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestLocateLeavesOtherErrorsAlone(t *testing.T) {
	d := &spec.Document{File: "p.yaml"}
	err := assert.AnError
	assert.Same(t, err, generate.Locate(d, err))
	assert.NoError(t, generate.Locate(d, nil))
}
