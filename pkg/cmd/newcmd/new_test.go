package newcmd_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/newcmd"
	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/scaffold"
	"github.com/platformctl/platformctl/pkg/spec"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := root.Main(args, cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

// copyExample copies an example spec (or, for "fixture", a spec whose
// positions the tests rely on) into a temporary directory.
func copyExample(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("../../../examples", name, "platform.yaml")
	if name == "fixture" {
		src = "../../../testdata/scaffold/block-comments.in.yaml"
	}
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	dir := t.TempDir()
	p := filepath.Join(dir, "platform.yaml")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	// The config files the spec reads come along.
	if cfg := filepath.Join(filepath.Dir(src), "config"); name != "fixture" {
		if _, err := os.Stat(cfg); err == nil {
			require.NoError(t, os.CopyFS(filepath.Join(dir, "config"), os.DirFS(cfg)))
		}
	}
	return p
}

func TestServiceFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want scaffold.Service
		file string
		skel string
		err  string
	}{
		{name: "minimal", args: []string{"web", "--image", "ghcr.io/a/web:1@sha256:219856e8f4e98317e33e19a3b2bedc7e40b2acd862a2cab0c9d62545f66c6f0d"},
			want: scaffold.Service{Name: "web", Image: "ghcr.io/a/web:1@sha256:219856e8f4e98317e33e19a3b2bedc7e40b2acd862a2cab0c9d62545f66c6f0d"}, file: "platform.yaml"},
		{name: "everything", args: []string{"api", "--image", "ghcr.io/a/api:1@sha256:dfdc824370374cf5e37663b3193c2eb6109d01eaa6775f7ca7dcdc28ded36efa", "--port", "9090", "--protocol", "grpc",
			"--expose", "api/a.v1.API", "--uses", "db,cache", "--uses", "queue", "-f", "x.yaml", "--with-skeleton", "svc/api",
			"--env-override", "production:replicas=3-10,cpu=500m", "--env-override", "dev:image=ghcr.io/a/api:2@sha256:fcf6a66930f1a7769f2d84f5d3b59c55b05bceb25e54efe5d94e7f1cee7d064f"},
			want: scaffold.Service{Name: "api", Image: "ghcr.io/a/api:1@sha256:dfdc824370374cf5e37663b3193c2eb6109d01eaa6775f7ca7dcdc28ded36efa", Port: 9090, Protocol: "grpc", Expose: "api/a.v1.API",
				Uses: []string{"db", "cache", "queue"}, Overrides: []scaffold.EnvOverride{
					{Env: "production", MinReplicas: 3, MaxReplicas: 10, CPU: "500m"}, {Env: "dev", Image: "ghcr.io/a/api:2@sha256:fcf6a66930f1a7769f2d84f5d3b59c55b05bceb25e54efe5d94e7f1cee7d064f"}}},
			file: "x.yaml", skel: "svc/api"},
		{name: "cronjob", args: []string{"r", "--image", "ghcr.io/a/r:1", "--kind", "cronjob", "--schedule", "0 3 * * *", "--time-zone", "Europe/Dublin"},
			want: scaffold.Service{Name: "r", Image: "ghcr.io/a/r:1", Kind: "cronjob", Schedule: "0 3 * * *", TimeZone: "Europe/Dublin"}, file: "platform.yaml"},
		{name: "migration", args: []string{"m", "--image", "ghcr.io/a/m:1", "--migrate", "/m  migrate up"},
			want: scaffold.Service{Name: "m", Image: "ghcr.io/a/m:1", Migrate: []string{"/m", "migrate", "up"}}, file: "platform.yaml"},
		{name: "worker", args: []string{"w", "--image", "ghcr.io/a/w:1@sha256:9f4cff749f87dfe31dd7805d6dfb431832be27600e9ca687abd76723376d046f", "--worker"},
			want: scaffold.Service{Name: "w", Image: "ghcr.io/a/w:1@sha256:9f4cff749f87dfe31dd7805d6dfb431832be27600e9ca687abd76723376d046f", Worker: true}, file: "platform.yaml"},
		{name: "no name", args: []string{"--image", "ghcr.io/a/web:1@sha256:219856e8f4e98317e33e19a3b2bedc7e40b2acd862a2cab0c9d62545f66c6f0d"}, err: "accepts 1 arg(s), received 0"},
		{name: "no image", args: []string{"web"}, err: `required flag(s) "image" not set`},
		{name: "bad port", args: []string{"web", "--image", "x:1", "--port", "http"}, err: `--port "http": "http" is not a port number between 1 and 65535`},
		{name: "pass-through", args: []string{"cat", "--image", "x:1", "--port", "admin=3551", "--port", "3550", "--port", "debug=6060",
			"--pod-annotation", "ad.datadoghq.com/cat.logs=[{\"source\":\"go\"}]", "--pod-annotation", "example.com/empty=", "--pod-label", "example.com/team=catalog"},
			want: scaffold.Service{Name: "cat", Image: "x:1", Port: 3550, Ports: []spec.NamedPort{{Name: "admin", Port: 3551}, {Name: "debug", Port: 6060}},
				PodAnnotations: []scaffold.KeyValue{{Key: "ad.datadoghq.com/cat.logs", Value: `[{"source":"go"}]`}, {Key: "example.com/empty"}},
				PodLabels:      []scaffold.KeyValue{{Key: "example.com/team", Value: "catalog"}}},
			file: "platform.yaml"},
		{name: "service port twice", args: []string{"web", "--image", "x:1", "--port", "80", "--port", "81"}, err: `--port "81": the service port is already given`},
		{name: "named port without name", args: []string{"web", "--image", "x:1", "--port", "=81"}, err: `--port "=81": want NUMBER (the service port) or NAME=NUMBER`},
		{name: "named port bad number", args: []string{"web", "--image", "x:1", "--port", "admin=x"}, err: `--port "admin=x": "x" is not a port number`},
		{name: "pod annotation without value", args: []string{"web", "--image", "x:1", "--pod-annotation", "example.com/a"}, err: `--pod-annotation "example.com/a": want KEY=VALUE`},
		{name: "pod label twice", args: []string{"web", "--image", "x:1", "--pod-label", "a=1", "--pod-label", "a=2"}, err: `--pod-label "a=2": the key "a" is given twice`},
		{name: "bad override", args: []string{"web", "--image", "x:1", "--env-override", "production"}, err: "want ENV:key=value"},
		{name: "port 0 typed", args: []string{"web", "--image", "x:1", "--port", "0"}, err: `--port "0": "0" is not a port number between 1 and 65535`},
		{name: "port too large", args: []string{"web", "--image", "x:1", "--port", "70000"}, err: `--port "70000": "70000" is not a port number between 1 and 65535`},
		{name: "identity", args: []string{"m", "--image", "x:1", "--worker", "--egress", "internet:443", "--egress", "2001:db8::/32:587",
			"--identity", "aws-irsa=arn:aws:iam::444455556666:role/m", "--identity", "production:aws-irsa=arn:aws:iam::111122223333:role/m", "--identity", "perf:eks-pod-identity"},
			want: scaffold.Service{Name: "m", Image: "x:1", Worker: true,
				Egress:   []spec.Egress{{To: spec.EgressInternet, Ports: []int32{443}}, {CIDR: "2001:db8::/32", Ports: []int32{587}}},
				Identity: &spec.Identity{Provider: spec.IdentityAWSIRSA, RoleARN: "arn:aws:iam::444455556666:role/m"},
				Overrides: []scaffold.EnvOverride{
					{Env: "production", Identity: &spec.Identity{Provider: spec.IdentityAWSIRSA, RoleARN: "arn:aws:iam::111122223333:role/m"}},
					{Env: "perf", Identity: &spec.Identity{Provider: spec.IdentityEKSPodIdentity}}}},
			file: "platform.yaml"},
		{name: "identity twice", args: []string{"web", "--image", "x:1", "--identity", "gcp", "--identity", "eks-pod-identity"}, err: `--identity "eks-pod-identity": the service's identity is already given`},
		{name: "bad identity", args: []string{"web", "--image", "x:1", "--identity", "aws=arn"}, err: `unknown provider "aws"`},
		{name: "bad egress", args: []string{"web", "--image", "x:1", "--egress", "internet"}, err: "want internet:PORT"},
		{name: "override key twice", args: []string{"web", "--image", "x:1", "--env-override", "production:cpu=1,cpu=2"}, err: `--env-override "production:cpu=1,cpu=2": cpu is given twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *newcmd.ServiceOptions
			f := cmdutil.NewFactory(cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
			cmd := newcmd.NewServiceCmd(f, func(o *newcmd.ServiceOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Service)
			assert.Equal(t, tt.file, got.File)
			assert.Equal(t, tt.skel, got.Skeleton)
		})
	}
}

func TestDatastoreFlags(t *testing.T) {
	var got *newcmd.DatastoreOptions
	f := cmdutil.NewFactory(cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	cmd := newcmd.NewDatastoreCmd(f, func(o *newcmd.DatastoreOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"db", "--type", "postgres", "--mode", "in-cluster", "--storage", "5Gi", "--backup-schedule", "@daily", "-f", "p.yaml"})
	require.NoError(t, cmd.Execute())
	assert.Equal(t, scaffold.DataStore{Name: "db", Type: "postgres", Mode: "in-cluster", Storage: "5Gi", BackupSchedule: "@daily"}, got.DataStore)
	assert.Equal(t, "p.yaml", got.File)
}

// TestNewCommands runs new service / new datastore in-process on copies of
// the examples: successes validate and render; refusals exit 2 and leave the
// file byte-identical.
func TestNewCommands(t *testing.T) {
	tests := []struct {
		name    string
		example string
		args    []string
		code    int
		stdout  []string
		stderr  []string
	}{
		{name: "service", example: "minimal", args: []string{"new", "service", "api", "--image", "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", "--expose", "api/v1",
			"--env-override", "production:replicas=2-4,memory=512Mi"}, code: 0, stdout: []string{": added service api\n"}},
		{name: "grpc service", example: "shop", args: []string{"new", "service", "billing", "--image", "ghcr.io/acme/billing:1.0.0@sha256:f38bb5fe3fe32a8668c4632121398c1c81dde85d7df28125a5cdc70ca22044fc",
			"--protocol", "grpc", "--port", "9091", "--uses", "orders-db,cache"}, code: 0},
		{name: "datastore", example: "shop", args: []string{"new", "datastore", "sessions", "--type", "redis", "--exporter-image", "quay.io/oliver006/redis_exporter:v1.74.0@sha256:0d2f5e0e1fb7a51ad5ac43d5e7e5c7a6ad3c8cd1e0c5f9f0b9e1a3c2d4e5f6a7", "--image", "docker.io/library/redis:7.4.1@sha256:603ac541e0c76773c7360e650b8d84fb21f10782a3f9bdcbb1d5fdb8710fbfef", "--storage", "1Gi"},
			code: 0, stdout: []string{": added data store sessions\n"}},
		// nginx has production and declares no encrypted storage class.
		{name: "datastore without an encrypted class", example: "nginx", args: []string{"new", "datastore", "cache", "--type", "redis", "--image", "docker.io/library/redis:7.4.1@sha256:603ac541e0c76773c7360e650b8d84fb21f10782a3f9bdcbb1d5fdb8710fbfef"},
			code: 2, stderr: []string{"spec.data[1].storageClass: a production store's volume must be encrypted at rest"}},
		{name: "managed datastore", example: "minimal", args: []string{"new", "data", "db", "--type", "postgres", "--endpoint", "db.example.internal:5432", "--cidr", "10.40.16.0/24,10.40.17.0/24", "--encrypted-at-rest", "--ca", "minimal/db-ca"}, code: 0},
		{name: "managed datastore not declared encrypted", example: "minimal", args: []string{"new", "data", "db", "--type", "postgres", "--endpoint", "db.example.internal:5432", "--cidr", "10.40.16.0/24"},
			code: 2, stderr: []string{"spec.data[0].encryptedAtRest: a production managed store must be encrypted at rest"}},
		{name: "managed datastore without cidrs", example: "minimal", args: []string{"new", "data", "db", "--type", "postgres", "--endpoint", "db.example.internal:5432"}, code: 2},
		{name: "duplicate service", example: "fixture", args: []string{"new", "service", "web", "--image", "ghcr.io/acme/web:2.0.0@sha256:37cb436d4ef710357ec5c4b4fb7977a48cad5516c4a2748a31ef432a6e2bd6e9"},
			code: 2, stderr: []string{`the name "web" is taken`, `platform.yaml:14:13: spec.services[0].name: a service named "web" already exists`, "1 error(s)"}},
		{name: "duplicate data store", example: "fixture", args: []string{"new", "datastore", "db", "--type", "redis"},
			code: 2, stderr: []string{`platform.yaml:26:13: spec.data[0].name: a data store named "db" already exists`}},
		{name: "invalid image", example: "fixture", args: []string{"new", "service", "billing", "--image", "GHCR.io/Acme/API"},
			code: 2, stderr: []string{"the result would not be valid", `platform.yaml:23:14: spec.services[2].image: "GHCR.io/Acme/API" is not a valid image reference`}},
		{name: "unknown uses", example: "minimal", args: []string{"new", "service", "api", "--image", "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", "--uses", "db"},
			code: 2, stderr: []string{`spec.services[1].uses[0]: no data store named "db"`}},
		{name: "config file", example: "shop", args: []string{"new", "service", "checkout", "--image", "ghcr.io/acme/checkout:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20",
			"--config-file", "app.yaml=config/web.yaml", "--config-file", "config/web.yaml", "--config-mount-path", "/app/config"}, code: 0, stdout: []string{": added service checkout\n"}},
		{name: "config file missing", example: "shop", args: []string{"new", "service", "checkout", "--image", "ghcr.io/acme/checkout:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", "--config-file", "app.yaml=config/app.yaml"},
			code: 2, stderr: []string{"the result would not be valid", "spec.services[5].config.files[app.yaml].file: cannot read config/app.yaml: there is no such file next to the spec"}},
		{name: "config file outside", example: "shop", args: []string{"new", "service", "checkout", "--image", "ghcr.io/acme/checkout:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", "--config-file", "app.yaml=../app.yaml"},
			code: 2, stderr: []string{`--config-file "app.yaml=../app.yaml": "../app.yaml" is not a path next to the spec`}},
		{name: "config mount path alone", example: "shop", args: []string{"new", "service", "checkout", "--image", "ghcr.io/acme/checkout:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", "--config-mount-path", "/app"},
			code: 2, stderr: []string{"--config-mount-path needs --config-file"}},
		{name: "config mount path over /tmp", example: "shop", args: []string{"new", "service", "checkout", "--image", "ghcr.io/acme/checkout:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", "--config-file", "config/web.yaml", "--config-mount-path", "/tmp"},
			code: 2, stderr: []string{"spec.services[5].config.mountPath: /tmp overlaps /tmp"}},
		{name: "calls", example: "shop", args: []string{"new", "service", "checkout", "--image", "ghcr.io/acme/checkout:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", "--calls", "orders,recommender"},
			code: 0, stdout: []string{": added service checkout\n"}},
		{name: "cronjob", example: "shop", args: []string{"new", "service", "cleanup", "--image", "ghcr.io/acme/cleanup:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20",
			"--kind", "cronjob", "--schedule", "0 3 * * *", "--time-zone", "Europe/Dublin", "--uses", "orders-db"}, code: 0, stdout: []string{": added service cleanup\n"}},
		{name: "migration", example: "minimal", args: []string{"new", "service", "api", "--image", "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20",
			"--migrate", "/api migrate up"}, code: 0},
		{name: "cronjob without schedule", example: "minimal", args: []string{"new", "service", "cleanup", "--image", "ghcr.io/acme/cleanup:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20",
			"--kind", "cronjob"}, code: 2, stderr: []string{`.kind: a cronjob needs a schedule`}},
		{name: "schedule on a server", example: "minimal", args: []string{"new", "service", "api", "--image", "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20",
			"--schedule", "0 3 * * *"}, code: 2, stderr: []string{`.schedule: schedule is for kind: cronjob; a server runs continuously`}},
		{name: "cronjob with a port", example: "minimal", args: []string{"new", "service", "cleanup", "--image", "ghcr.io/acme/cleanup:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20",
			"--kind", "cronjob", "--schedule", "@daily", "--port", "8080"}, code: 2, stderr: []string{`.port: a cronjob runs to completion on its schedule and takes no port`}},
		{name: "worker and kind", example: "minimal", args: []string{"new", "service", "cleanup", "--image", "ghcr.io/acme/cleanup:1.0.0", "--worker", "--kind", "cronjob"},
			code: 2, stderr: []string{"--worker and --kind cronjob contradict each other"}},
		{name: "calls a worker", example: "shop", args: []string{"new", "service", "checkout", "--image", "ghcr.io/acme/checkout:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", "--calls", "orders,email-worker"},
			code: 2, stderr: []string{`spec.services[5].calls[1].service: "email-worker" is a worker`}},
		{name: "bad protocol", example: "minimal", args: []string{"new", "service", "api", "--image", "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", "--protocol", "tcp"},
			code: 2, stderr: []string{"spec.services[1].protocol: must be one of: http, grpc, websocket"}},
		{name: "unknown environment", example: "fixture", args: []string{"new", "service", "api2", "--image", "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", "--env-override", "prod:cpu=1"},
			code: 2, stderr: []string{`no environment named "prod"; the spec defines: dev`}},
		{name: "production floor", example: "minimal", args: []string{"new", "service", "api", "--image", "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", "--env-override", "production:replicas=1"},
			code: 2, stderr: []string{"replicas.min: production runs at least 2 replicas"}},
		{name: "bad data store type", example: "minimal", args: []string{"new", "datastore", "db", "--type", "mongodb"},
			code: 2, stderr: []string{"spec.data[0].type: must be one of"}},
		{name: "missing type", example: "minimal", args: []string{"new", "datastore", "db"}, code: 2, stderr: []string{`required flag(s) "type" not set`}},
		{name: "no subcommand args", example: "minimal", args: []string{"new", "service"}, code: 2, stderr: []string{"accepts 1 arg(s)"}},
		{name: "quiet", example: "shop", args: []string{"-q", "new", "datastore", "sessions", "--type", "redis", "--exporter-image", "quay.io/oliver006/redis_exporter:v1.74.0@sha256:0d2f5e0e1fb7a51ad5ac43d5e7e5c7a6ad3c8cd1e0c5f9f0b9e1a3c2d4e5f6a7", "--image", "docker.io/library/redis:7.4.1@sha256:603ac541e0c76773c7360e650b8d84fb21f10782a3f9bdcbb1d5fdb8710fbfef"}, code: 0},
		{name: "verbose", example: "shop", args: []string{"new", "datastore", "sessions", "--type", "redis", "--exporter-image", "quay.io/oliver006/redis_exporter:v1.74.0@sha256:0d2f5e0e1fb7a51ad5ac43d5e7e5c7a6ad3c8cd1e0c5f9f0b9e1a3c2d4e5f6a7", "--image", "docker.io/library/redis:7.4.1@sha256:603ac541e0c76773c7360e650b8d84fb21f10782a3f9bdcbb1d5fdb8710fbfef", "-v"}, code: 0,
			stderr: []string{"platformctl: reading spec ", "platformctl: wrote "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := copyExample(t, tt.example)
			before, err := os.ReadFile(file)
			require.NoError(t, err)
			code, out, errOut := run(t, append(tt.args, "-f", file)...)
			assert.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			for _, s := range tt.stdout {
				assert.Contains(t, out, s)
			}
			for _, s := range tt.stderr {
				assert.Contains(t, errOut, strings.ReplaceAll(s, "platform.yaml:", file+":"))
			}
			after, err := os.ReadFile(file)
			require.NoError(t, err)
			if tt.code != 0 {
				assert.Equal(t, string(before), string(after), "a refused edit must leave the file byte-identical")
				assert.Empty(t, out)
				return
			}
			assert.NotEqual(t, string(before), string(after))
			if tt.name == "quiet" {
				assert.Empty(t, out)
			}
			code, out, errOut = run(t, "validate", "-f", file)
			require.Equal(t, 0, code, "%s%s", out, errOut)
			code, out, errOut = run(t, "render", "-q", "-f", file, "-o", filepath.Join(t.TempDir(), "deploy"))
			require.Equal(t, 0, code, "%s%s", out, errOut)
		})
	}
}

func TestInvalidSpecIsNotEdited(t *testing.T) {
	file := filepath.Join(t.TempDir(), "platform.yaml")
	bad := "apiVersion: platformctl.dev/v1alpha1\r\nkind: Platform\r\nmetadata: {name: x}\r\nspec:\r\n  domian: x.example.com\r\n"
	require.NoError(t, os.WriteFile(file, []byte(bad), 0o600))
	code, out, errOut := run(t, "new", "service", "web", "--image", "ghcr.io/a/web:1@sha256:219856e8f4e98317e33e19a3b2bedc7e40b2acd862a2cab0c9d62545f66c6f0d", "-f", file)
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, file+" is not a valid spec; fix it first:")
	assert.Contains(t, errOut, file+`:5:3: spec.domian: unknown field "domian"; did you mean "domain"?`)
	after, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, bad, string(after))
}

func TestUnknownSubcommand(t *testing.T) {
	code, out, errOut := run(t, "new", "bogus")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `unknown command "bogus" for "platformctl new"`)
	code, out, _ = run(t, "new")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "Available Commands:")
}

func TestMissingSpec(t *testing.T) {
	code, _, errOut := run(t, "new", "service", "web", "--image", "ghcr.io/a/web:1@sha256:219856e8f4e98317e33e19a3b2bedc7e40b2acd862a2cab0c9d62545f66c6f0d", "-f", filepath.Join(t.TempDir(), "platform.yaml"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "does not exist; create one with: platformctl init")
}

func TestWithSkeleton(t *testing.T) {
	file := copyExample(t, "fixture")
	dir := filepath.Join(t.TempDir(), "services", "api")
	code, out, errOut := run(t, "new", "service", "rpc", "--image", "ghcr.io/acme/rpc:1.0.0@sha256:2208d87ee56322988e36aa60ecb5696babae852d9ddf5ddc3c0a3ac33a8505ad", "--protocol", "grpc", "--port", "9090",
		"--with-skeleton", dir, "-f", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, file+":22: added service rpc\n", "the position of the new entry")
	assert.Contains(t, out, "wrote "+filepath.Join(dir, "Dockerfile"))
	docker, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	require.NoError(t, err)
	assert.Contains(t, string(docker), "USER 65532:65532")
	assert.Contains(t, string(docker), "EXPOSE 9090")
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), "grpc.health.v1.Health")

	// The skeleton exists now: a second service into the same directory is
	// refused before the spec is touched.
	before, err := os.ReadFile(file)
	require.NoError(t, err)
	code, _, errOut = run(t, "new", "service", "rpc2", "--image", "ghcr.io/acme/rpc:1.0.0@sha256:2208d87ee56322988e36aa60ecb5696babae852d9ddf5ddc3c0a3ac33a8505ad", "--with-skeleton", dir, "-f", file)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "already exist")
	after, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after))
}

// TestHelp checks every command has a summary, a description and examples.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"new", "--help"}, {"new", "service", "--help"}, {"new", "datastore", "--help"}} {
		code, out, _ := run(t, args...)
		assert.Equal(t, 0, code)
		assert.Contains(t, out, "Examples:")
		assert.Contains(t, out, "platformctl new ")
	}
}
