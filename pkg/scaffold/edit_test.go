package scaffold

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/golden"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

const testdata = "../../testdata/scaffold"

// assertGolden compares got with testdata/scaffold/name (make golden rewrites it).
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Assert(t, filepath.Join(testdata, name), got)
}

func addService(s Service) func(string, []byte) (*Result, error) {
	return func(file string, data []byte) (*Result, error) { return AddService(file, data, s) }
}

func addData(ds DataStore) func(string, []byte) (*Result, error) {
	return func(file string, data []byte) (*Result, error) { return AddDataStore(file, data, ds) }
}

var (
	billing  = Service{Name: "billing", Image: "ghcr.io/acme/billing:1.2.3@sha256:55678c2355606b144fb098f3736bcca3305e32a84372b315f165a12af89e340c", Port: 9000, Expose: "pay/billing", Uses: []string{"db"}}
	reporter = Service{Name: "reporter", Image: "ghcr.io/acme/reporter:0.1.0@sha256:5f60e82bb88b6dac015ec4fca5b08a0c04e2fc36305246ad4cb4d18ad870c22d", Worker: true}
	cache    = DataStore{Name: "cache", Type: "redis", Image: "docker.io/library/redis:7.4.1@sha256:603ac541e0c76773c7360e650b8d84fb21f10782a3f9bdcbb1d5fdb8710fbfef", Storage: "2Gi"}
	queue    = DataStore{Name: "queue", Type: "nats", Endpoint: "nats.example.internal:4222", CIDRs: []string{"10.20.9.0/24"}}
)

// replaced are the empty values ([] or ~) a new list replaces, as old, new pairs.
var replaced = map[string][]string{
	"empty-list-service":   {"services: []", "services:"},
	"empty-list-datastore": {"data: []", "data:"},
	"null-key-datastore":   {"data: ~", "data:"},
}

// TestEditGolden adds entries to specs of every layout and compares the
// result with testdata/scaffold/<name>.out.yaml: every byte outside the
// inserted text must be the input's.
func TestEditGolden(t *testing.T) {
	tests := []struct {
		name, in string
		op       func(string, []byte) (*Result, error)
	}{
		{"block-comments-service", "block-comments", addService(billing)},
		{"block-comments-datastore", "block-comments", addData(cache)},
		{"block-unindented-service", "block-unindented", addService(billing)},
		{"block-unindented-datastore", "block-unindented", addData(queue)},
		{"indent4-service", "indent4", addService(billing)},
		{"indent4-compact-service", "indent4-compact", addService(Service{Name: "api", Image: "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", Expose: "api"})},
		{"indent4-compact-datastore", "indent4-compact", addData(cache)},
		{"flow-inline-service", "flow-inline", addService(billing)},
		{"flow-inline-datastore", "flow-inline", addData(cache)},
		{"flow-multiline-service", "flow-multiline", addService(billing)},
		{"flow-multiline-datastore", "flow-multiline", addData(queue)},
		{"empty-list-service", "empty-list", addService(reporter)},
		{"empty-list-datastore", "empty-list", addData(cache)},
		{"missing-key-service", "missing-key", addService(Service{Name: "web", Image: "ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b", Expose: "www"})},
		{"missing-key-datastore", "missing-key", addData(cache)},
		{"null-key-service", "null-key", addService(reporter)},
		{"null-key-datastore", "null-key", addData(cache)},
		{"crlf-service", "crlf", addService(Service{Name: "api", Image: "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", Uses: []string{"db"},
			Overrides: []EnvOverride{{Env: "production", MinReplicas: 2, MaxReplicas: 6}}})},
		{"crlf-datastore", "crlf", addData(cache)},
		{"no-final-newline-service", "no-final-newline", addService(reporter)},
		{"no-final-newline-datastore", "no-final-newline", addData(cache)},
		{"blank-separated-service", "blank-separated", addService(billing)},
		{"mixed-entries-service", "mixed-entries", addService(Service{Name: "billing", Image: "ghcr.io/acme/billing:1.0.0@sha256:f38bb5fe3fe32a8668c4632121398c1c81dde85d7df28125a5cdc70ca22044fc", Protocol: "grpc",
			Overrides: []EnvOverride{{Env: "production", MinReplicas: 2, MaxReplicas: 4, CPU: "500m"}, {Env: "dev", Image: "ghcr.io/acme/billing:1.1.0-rc.1@sha256:fbc8a89c47d652b2eceb50028273b739298d91d4a3d4d5f21607a4c309a7d8fd"}}})},
		{"mixed-entries-datastore", "mixed-entries", addData(cache)},
		{"tricky-service", "tricky", addService(Service{Name: "api", Image: "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20",
			Overrides: []EnvOverride{{Env: "dev", CPU: "50m"}, {Env: "qa", MinReplicas: 1, MaxReplicas: 1}}})},
		{"tricky-datastore", "tricky", addData(cache)},
		{"flow-spec-service", "flow-spec", addService(Service{Name: "web", Image: "ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b", Expose: "www",
			Overrides: []EnvOverride{{Env: "dev", Memory: "64Mi"}}})},
		{"flow-spec-datastore", "flow-spec", addData(queue)},
		{"flow-spec-identity-service", "flow-spec", addService(Service{Name: "web", Image: "ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b",
			Egress: []spec.Egress{{To: spec.EgressInternet, Ports: []int32{443}}}, Identity: &spec.Identity{Provider: spec.IdentityAzure, ClientID: "8c1f0f4e-5b2a-4d7e-9a3b-2f6d1c0e9b7a"}})},
		{"overrides-identity-service", "overrides", addService(Service{Name: "mailer", Image: "ghcr.io/acme/mailer:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", Worker: true,
			Egress:   []spec.Egress{{To: spec.EgressInternet, Ports: []int32{443}}, {CIDR: "2001:db8::/32", Ports: []int32{587, 465}}},
			Identity: &spec.Identity{Provider: spec.IdentityAWSIRSA, RoleARN: "arn:aws:iam::444455556666:role/demo-mailer"},
			Overrides: []EnvOverride{
				{Env: "production", Identity: &spec.Identity{Provider: spec.IdentityAWSIRSA, RoleARN: "arn:aws:iam::111122223333:role/demo-mailer"}},
				{Env: "production", MinReplicas: 2, MaxReplicas: 4},
				{Env: "perf", Identity: &spec.Identity{Provider: spec.IdentityEKSPodIdentity}},
			}})},
		{"flow-empty-service", "flow-empty", addService(Service{Name: "web", Image: "ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b",
			Overrides: []EnvOverride{{Env: "prod", MinReplicas: 2, MaxReplicas: 3}}})},
		{"flow-empty-datastore", "flow-empty", addData(cache)},
		{"envs-last-service", "envs-last", addService(Service{Name: "web", Image: "ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b",
			Overrides: []EnvOverride{{Env: "production", MinReplicas: 2, MaxReplicas: 8}}})},
		{"overrides-service", "overrides", addService(Service{Name: "api", Image: "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", Protocol: "websocket",
			Overrides: []EnvOverride{
				{Env: "dev", CPU: "100m", Memory: "128Mi"},
				{Env: "staging", MinReplicas: 2, MaxReplicas: 2},
				{Env: "production", MinReplicas: 3, MaxReplicas: 12},
				{Env: "production", Memory: "1Gi"},
				{Env: "perf", Image: "ghcr.io/acme/api:1.0.1@sha256:383492dc421e9d9eb2b002efdcf182fa7d0607f17aa5ea30f7ff3cfe0f0b0c42"},
			}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(testdata, tt.in+".in.yaml"))
			require.NoError(t, err)
			res, err := tt.op("platform.yaml", in)
			require.NoError(t, err)
			assertGolden(t, tt.name+".out.yaml", res.Data)
			assert.Contains(t, string(newSource(res.Data).text(res.Pos.Line)), "name:", "Pos is the new entry's first line")
			assertOnlyInserted(t, []byte(strings.NewReplacer(replaced[tt.name]...).Replace(string(in))), res.Data)
			_, err = render.Render(res.Doc.Platform)
			require.NoError(t, err)
		})
	}
}

// assertOnlyInserted checks that out is in with text inserted: every byte of
// in appears in out, in order.
func assertOnlyInserted(t *testing.T, in, out []byte) {
	t.Helper()
	j := 0
	for i := 0; i < len(in); i++ {
		for j < len(out) && out[j] != in[i] {
			j++
		}
		if j == len(out) {
			rest := string(in[i:])
			t.Fatalf("input byte %d (%q…) is missing from the output", i, rest[:min(20, len(rest))])
		}
		j++
	}
	if strings.Contains(string(in), "\r\n") {
		assert.NotRegexp(t, "[^\r]\n", string(out), "a CRLF file must stay CRLF")
	}
}

// TestEditRefused checks every refusal: the error says why, with
// file:line:col where there is a position.
func TestEditRefused(t *testing.T) {
	in, err := os.ReadFile(filepath.Join(testdata, "block-comments.in.yaml"))
	require.NoError(t, err)
	tests := []struct {
		name string
		op   func(string, []byte) (*Result, error)
		want []string
	}{
		{"duplicate service", addService(Service{Name: "api", Image: "ghcr.io/acme/x:1.0.0@sha256:d6bfd692c25b0e158e2e07a6f2baa03efad33da85c74d6eaec953615e73679e2"}),
			[]string{`the name "api" is taken`, `platform.yaml:19:13: spec.services[1].name: a service named "api" already exists`}},
		{"service named like a data store", addService(Service{Name: "db", Image: "ghcr.io/acme/x:1.0.0@sha256:d6bfd692c25b0e158e2e07a6f2baa03efad33da85c74d6eaec953615e73679e2"}),
			[]string{`platform.yaml:26:13: spec.data[0].name: a data store named "db" already exists`}},
		{"duplicate data store", addData(DataStore{Name: "web", Type: "redis"}),
			[]string{`platform.yaml:14:13: spec.services[0].name: a service named "web" already exists`}},
		{"invalid image", addService(Service{Name: "x", Image: "ghcr.io/Acme/X:1@sha256:2fed9a101c4a0d07fa6df375e7be1177f15f7908573089f82c60f82b16455578"}),
			[]string{"the result would not be valid", `platform.yaml:23:14: spec.services[2].image: "ghcr.io/Acme/X:1@sha256:2fed9a101c4a0d07fa6df375e7be1177f15f7908573089f82c60f82b16455578" is not a valid image reference`}},
		{"unpinned image", addService(Service{Name: "x", Image: "ghcr.io/acme/x"}),
			[]string{`spec.services[2].image: "ghcr.io/acme/x" has no tag`}},
		{"unknown uses target", addService(Service{Name: "x", Image: "ghcr.io/acme/x:1.0.0@sha256:d6bfd692c25b0e158e2e07a6f2baa03efad33da85c74d6eaec953615e73679e2", Uses: []string{"dbb"}}),
			[]string{`platform.yaml:24:14: spec.services[2].uses[0]: no data store named "dbb"; did you mean "db"?`}},
		{"bad name", addService(Service{Name: "Bad_Name", Image: "ghcr.io/acme/x:1.0.0@sha256:d6bfd692c25b0e158e2e07a6f2baa03efad33da85c74d6eaec953615e73679e2"}),
			[]string{`spec.services[2].name: "Bad_Name" is not a valid name`}},
		{"worker exposed", addService(Service{Name: "x", Image: "ghcr.io/acme/x:1.0.0@sha256:d6bfd692c25b0e158e2e07a6f2baa03efad33da85c74d6eaec953615e73679e2", Worker: true, Expose: "x"}),
			[]string{"spec.services[2].expose: a worker has no Service and cannot be exposed"}},
		{"unknown environment", addService(Service{Name: "x", Image: "ghcr.io/acme/x:1.0.0@sha256:d6bfd692c25b0e158e2e07a6f2baa03efad33da85c74d6eaec953615e73679e2", Overrides: []EnvOverride{{Env: "prod", CPU: "1"}}}),
			[]string{`no environment named "prod"; the spec defines: dev`}},
		{"bad override", addService(Service{Name: "x", Image: "ghcr.io/acme/x:1.0.0@sha256:d6bfd692c25b0e158e2e07a6f2baa03efad33da85c74d6eaec953615e73679e2", Overrides: []EnvOverride{{Env: "dev", MinReplicas: 5, MaxReplicas: 2}}}),
			[]string{`spec.environments[0].overrides.services[x].replicas.min: min (5) is greater than max (2)`}},
		{"bad data store type", addData(DataStore{Name: "x", Type: "mongo"}),
			[]string{"spec.data[1].type: must be one of: postgres, mysql, redis, rabbitmq, nats, kafka"}},
		{"managed without endpoint", addData(DataStore{Name: "x", Type: "mysql", Mode: "managed"}),
			[]string{"spec.data[1].endpoint: is required when mode is managed"}},
		{"bad cron", addData(DataStore{Name: "x", Type: "mysql", BackupSchedule: "daily"}),
			[]string{`spec.data[1].backup.schedule: "daily" is not a cron schedule`}},
		{"name of a generated object", addService(Service{Name: "default-deny", Image: "ghcr.io/acme/x:1.0.0@sha256:d6bfd692c25b0e158e2e07a6f2baa03efad33da85c74d6eaec953615e73679e2"}),
			[]string{`spec.services[2].name: the name collides with another object platformctl generates: NetworkPolicy "default-deny" in the apps namespace`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.op("platform.yaml", in)
			require.Error(t, err)
			assert.Nil(t, res)
			var refused *RefusedError
			require.True(t, errors.As(err, &refused), "%T: %v", err, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestEditRefusesWhatItCannotPreserve: a keep-chomping block scalar owns the
// blank lines after it; inserting after its text would change its value, so
// the edit is refused rather than made.
func TestEditRefusesWhatItCannotPreserve(t *testing.T) {
	in := "apiVersion: platformctl.dev/v1alpha1\nkind: Platform\nmetadata: {name: x}\nspec:\n  domain: x.example.com\n" +
		"  environments: [{name: dev, tier: development}]\n  services:\n    - name: web\n      image: ghcr.io/a/web:1@sha256:219856e8f4e98317e33e19a3b2bedc7e40b2acd862a2cab0c9d62545f66c6f0d\n" +
		"      env:\n        MOTD: |+\n          hello\n\n"
	_, err := AddService("platform.yaml", []byte(in), Service{Name: "api", Image: "ghcr.io/a/api:1@sha256:dfdc824370374cf5e37663b3193c2eb6109d01eaa6775f7ca7dcdc28ded36efa"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "could not be added without changing the rest of the file")
}

func TestEditInvalidInput(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"unknown field", "apiVersion: platformctl.dev/v1alpha1\nkind: Platform\nmetadata: {name: x}\nspec:\n  domian: x.example.com\n",
			`platform.yaml:5:3: spec.domian: unknown field "domian"`},
		{"not yaml", "spec: [\n", "invalid YAML"},
		{"empty", "", "file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AddService("platform.yaml", []byte(tt.in), billing)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "is not a valid spec; fix it first")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseEnvOverride(t *testing.T) {
	tests := []struct {
		in   string
		want EnvOverride
		err  string
	}{
		{in: "production:replicas=3-10", want: EnvOverride{Env: "production", MinReplicas: 3, MaxReplicas: 10}},
		{in: "dev:replicas=1", want: EnvOverride{Env: "dev", MinReplicas: 1, MaxReplicas: 1}},
		{in: "staging:cpu=500m,memory=1Gi", want: EnvOverride{Env: "staging", CPU: "500m", Memory: "1Gi"}},
		{in: "dev:image=ghcr.io/acme/web:1.0.0@sha256:abc", want: EnvOverride{Env: "dev", Image: "ghcr.io/acme/web:1.0.0@sha256:abc"}},
		{in: "production", err: "want ENV:key=value"},
		{in: ":cpu=1", err: "want ENV:key=value"},
		{in: "dev:cpu", err: `"cpu" is not key=value`},
		{in: "dev:replicas=a-b", err: "replicas must be N or MIN-MAX"},
		{in: "dev:disk=1Gi", err: `unknown key "disk"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEnvOverride(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseIdentity(t *testing.T) {
	tests := []struct {
		in   string
		want IdentityFlag
		err  string
	}{
		{in: "aws-irsa=arn:aws:iam::111122223333:role/x", want: IdentityFlag{Identity: &spec.Identity{Provider: spec.IdentityAWSIRSA, RoleARN: "arn:aws:iam::111122223333:role/x"}}},
		{in: "production:aws-irsa=arn:aws-cn:iam::111122223333:role/x", want: IdentityFlag{Env: "production", Identity: &spec.Identity{Provider: spec.IdentityAWSIRSA, RoleARN: "arn:aws-cn:iam::111122223333:role/x"}}},
		{in: "eks-pod-identity", want: IdentityFlag{Identity: &spec.Identity{Provider: spec.IdentityEKSPodIdentity}}},
		{in: "dev:gcp", want: IdentityFlag{Env: "dev", Identity: &spec.Identity{Provider: spec.IdentityGCP}}},
		{in: "gcp=a-reader@shop-prod.iam.gserviceaccount.com", want: IdentityFlag{Identity: &spec.Identity{Provider: spec.IdentityGCP, ServiceAccount: "a-reader@shop-prod.iam.gserviceaccount.com"}}},
		{in: "azure=8c1f0f4e-5b2a-4d7e-9a3b-2f6d1c0e9b7a", want: IdentityFlag{Identity: &spec.Identity{Provider: spec.IdentityAzure, ClientID: "8c1f0f4e-5b2a-4d7e-9a3b-2f6d1c0e9b7a"}}},
		{in: "aws=arn:aws:iam::111122223333:role/x", err: `unknown provider "aws"`},
		{in: ":gcp", err: "environment before ':' is empty"},
		{in: "eks-pod-identity=arn:aws:iam::111122223333:role/x", err: "takes no ID"},
		{in: "azure=", err: "the clientID after '=' is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseIdentity(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseEgress(t *testing.T) {
	tests := []struct {
		in   string
		want spec.Egress
		err  string
	}{
		{in: "internet:443", want: spec.Egress{To: spec.EgressInternet, Ports: []int32{443}}},
		{in: "203.0.113.0/24:8443,9443", want: spec.Egress{CIDR: "203.0.113.0/24", Ports: []int32{8443, 9443}}},
		{in: "2001:db8::/32:443", want: spec.Egress{CIDR: "2001:db8::/32", Ports: []int32{443}}},
		{in: "internet", err: "want internet:PORT"},
		{in: "internet:", err: "want internet:PORT"},
		{in: "internet:https", err: `port "https" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEgress(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestExamplesTakeNewEntries adds a service (with overrides) and a data store
// to every example: the results validate and render.
func TestExamplesTakeNewEntries(t *testing.T) {
	files, err := filepath.Glob("../../examples/*/platform.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		in, err := os.ReadFile(f)
		require.NoError(t, err)
		d, err := spec.Parse(f, in)
		require.NoError(t, err)
		envs := d.Platform.EnvironmentNames()
		var ovs []EnvOverride
		for _, e := range envs {
			ovs = append(ovs, EnvOverride{Env: e, MinReplicas: 2, MaxReplicas: 5, CPU: "300m"})
		}
		// A backup needs somewhere off the cluster to go.
		backupSchedule := ""
		if d.Platform.Spec.BackupStorage != nil {
			backupSchedule = "@daily"
		}
		ops := map[string]func(string, []byte) (*Result, error){
			"service": addService(Service{Name: "scaffolded", Image: "ghcr.io/acme/scaffolded:1.0.0@sha256:4b7eb7a9bd442dd680c666ab4f94503a7f10094d9f8fbe7a4fc13d02e38dc097", Port: 8081,
				Expose: "scaffolded/v1", Overrides: ovs}),
			"worker": addService(Service{Name: "scaffolded", Image: "ghcr.io/acme/scaffolded:1.0.0@sha256:4b7eb7a9bd442dd680c666ab4f94503a7f10094d9f8fbe7a4fc13d02e38dc097", Worker: true}),
			"datastore": addData(DataStore{Name: "scaffolded", Type: "postgres", Image: "docker.io/library/postgres:16.4@sha256:18ca423de4deaea0bdbe46726f44eb12a25751e7a9601a39c533753204c0c84e",
				ExporterImage: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1@sha256:7495d2c0de07efbc4126e8eaae99c01814464752885384fec389eef2ca7c8c54", Storage: "50Gi", BackupSchedule: backupSchedule}),
			"broker": addData(DataStore{Name: "scaffolded", Type: "kafka", Mode: "in-cluster", Image: "docker.io/apache/kafka:3.8.0@sha256:1dde263c93660199cfc7d531aaf7566666ea9cf08c79e44dbdcc0e5cc623a06e",
				ExporterImage: "docker.io/danielqsj/kafka-exporter:v1.9.0@sha256:97a94d4bd6576cece3862431a1521e8235ce9ef97d29b91a7e79eae2e7507149"}),
			"managed": addData(DataStore{Name: "scaffolded", Type: "postgres", Endpoint: "pg.example.internal:5432", CIDRs: []string{"10.30.0.0/24"}, EncryptedAtRest: true}),
		}
		for name, op := range ops {
			t.Run(filepath.Base(filepath.Dir(f))+"/"+name, func(t *testing.T) {
				res, err := op(f, in)
				if name != "managed" && name != "service" && name != "worker" && unencrypted(d.Platform) {
					// A store in the cluster needs an encrypted class in
					// production, which this spec does not declare.
					require.ErrorContains(t, err, "must be encrypted at rest")
					return
				}
				require.NoError(t, err)
				assertOnlyInserted(t, in, res.Data)
				_, err = render.Render(res.Doc.Platform)
				require.NoError(t, err)
			})
		}
	}
}

// unencrypted says whether p has a production environment but declares no
// encrypted storage class.
func unencrypted(p *spec.Platform) bool {
	for _, e := range p.Spec.Environments {
		if e.Tier == spec.TierProduction {
			return len(p.Spec.EncryptedStorageClasses) == 0
		}
	}
	return false
}
