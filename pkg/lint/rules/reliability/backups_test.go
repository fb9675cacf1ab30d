package reliability

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/celexpr"
	"github.com/platformctl/platformctl/pkg/lint"
)

// backupCronJob is a CronJob whose first container runs dump (writing to
// a claim), and whose second, when other is not nil, is other.
func backupCronJob(t *testing.T, dump []string, other map[string]any) []*lint.Object {
	t.Helper()
	containers := []any{map[string]any{
		"name": "dump", "image": "docker.io/library/postgres:16.4", "command": dump,
		"volumeMounts": []any{map[string]any{"name": "backups", "mountPath": "/backups"}},
	}}
	if other != nil {
		containers = append(containers, other)
	}
	doc := map[string]any{
		"apiVersion": "batch/v1", "kind": "CronJob", "metadata": map[string]any{"name": "backup", "namespace": "data"},
		"spec": map[string]any{"schedule": "0 3 * * *", "jobTemplate": map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"restartPolicy": "Never", "containers": containers,
			"volumes": []any{map[string]any{"name": "backups", "persistentVolumeClaim": map[string]any{"claimName": "backups"}}},
		}}}}},
	}
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	objs, err := lint.Decode("cronjob.json", data)
	require.NoError(t, err)
	return objs
}

// The command-line patterns judge what each tool looks like in a shell
// script or an argv, and the rule's CEL judges every case as its check does.
func TestBackupCommandLines(t *testing.T) {
	r := backupOnlyToPVC()
	// 1.30 is the first release policies are exported for (policyexport's
	// minVAPMinor); the rule is off by default, so the export's own test,
	// which exports the default rules, does not compile it.
	env, err := celexpr.NewEnv(30)
	require.NoError(t, err)
	prg, err := r.CEL.Compile(env)
	require.NoError(t, err, "the CEL compiles for the oldest release policies are exported for")
	sh := func(script string) []string { return []string{"sh", "-c", script} }
	uploader := func(image string, command []string, args ...string) map[string]any {
		c := map[string]any{"name": "upload", "image": image}
		if args != nil {
			c["args"] = args
		}
		if command != nil {
			c["command"] = command
		}
		return c
	}
	for _, tc := range []struct {
		name  string
		dump  []string
		other map[string]any
		fires bool
	}{
		{"pg_dump argv", []string{"pg_dump", "--file=/backups/x.dump"}, nil, true},
		{"pg_dump by path in a script", sh("set -eu\n/usr/lib/postgresql/16/bin/pg_dump -Fc > /backups/x.dump"), nil, true},
		{"pg_dumpall after a pipe", sh("true && pg_dumpall|gzip > /backups/all.sql.gz"), nil, true},
		{"pg_basebackup", []string{"pg_basebackup", "-D", "/backups/base"}, nil, true},
		{"mariadb-dump", sh("mariadb-dump --all-databases > /backups/all.sql"), nil, true},
		{"mariabackup", sh("mariabackup --backup --target-dir=/backups/full"), nil, true},
		{"mongodump", []string{"mongodump", "--out=/backups"}, nil, true},
		{"redis-cli with --rdb later", sh("redis-cli -h cache -a \"$PW\" --rdb /backups/dump.rdb"), nil, true},
		{"redis-cli --rdb across a continuation", sh("redis-cli -h cache \\\n  --rdb /backups/dump.rdb"), nil, true},
		{"valkey-cli --rdb", []string{"valkey-cli", "--rdb", "/backups/dump.rdb"}, nil, true},
		{"etcdctl snapshot save", sh("ETCDCTL_API=3 etcdctl --endpoints=$EP snapshot  save /backups/etcd.db"), nil, true},
		{"redis-cli without --rdb", sh("redis-cli -h cache BGSAVE"), nil, false},
		{"--rdb in another command", sh("redis-cli -h cache PING; echo --rdb"), nil, false},
		{"etcdctl snapshot status", sh("etcdctl snapshot status /backups/etcd.db"), nil, false},
		{"pg_restore", sh("pg_restore --list /backups/x.dump"), nil, false},
		{"pg_dump inside a longer name", sh("/scripts/pg_dump.sh; my-pg_dump; pg_dumper"), nil, false},
		{"no tool", sh("cp -a /data /backups/"), nil, false},

		{"upload in the same script", sh("pg_dump -Fc > /backups/x.dump && aws s3 cp /backups/x.dump s3://b/"), nil, false},
		{"aws with options before s3api", sh("pg_dump > /backups/x; aws --region eu-west-1 s3api put-object --bucket b --key x --body /backups/x"), nil, false},
		{"aws s3 across a continuation", sh("pg_dump > /backups/x\naws --endpoint-url \"$E\" \\\n  s3 cp /backups/x s3://b/"), nil, false},
		{"aws without s3", sh("pg_dump > /backups/x; aws sts get-caller-identity"), nil, true},
		{"s3 in another command than aws", sh("pg_dump > /backups/x; aws configure list; echo s3"), nil, true},
		{"az storage", sh("pg_dump > /backups/x && az storage blob upload -f /backups/x -c b"), nil, false},
		{"azure is not az", sh("pg_dump > /backups/x && azure-tool storage"), nil, true},
		{"gsutil", sh("pg_dump > /backups/x && gsutil cp /backups/x gs://b/"), nil, false},
		{"gcloud without storage", sh("pg_dump > /backups/x && gcloud auth list"), nil, true},
		{"curl --upload-file", sh("pg_dump > /backups/x && curl -fsS --upload-file /backups/x \"$URL\""), nil, false},
		{"curl -T", sh("pg_dump > /backups/x && curl -T /backups/x \"$URL\""), nil, false},
		{"curl download", sh("pg_dump > /backups/x && curl -fsS \"$HEALTHCHECK\""), nil, true},
		{"wal-g", sh("wal-g backup-push /var/lib/postgresql/data; pg_dump > /backups/x"), nil, false},
		{"barman-cloud-backup", sh("pg_dump > /backups/x; barman-cloud-backup s3://b/ pg"), nil, false},
		{"rclone inside a longer word", sh("pg_dump > /backups/x --no-rclone"), nil, true},

		{"uploader container", sh("pg_dump > /backups/x"), uploader("docker.io/library/alpine:3.20", []string{"rclone"}, "copy", "/backups", "r:b"), false},
		{"uploader image entrypoint", sh("pg_dump > /backups/x"), uploader("rclone/rclone:1.68.2", nil, "copy", "/backups", "r:b"), false},
		{"uploader image by digest", sh("pg_dump > /backups/x"), uploader("registry.example.com:5000/mirror/aws-cli@sha256:abc", nil, "s3", "sync"), false},
		{"uploader image with a command of its own", sh("pg_dump > /backups/x"), uploader("rclone/rclone:1.68.2", []string{"sh", "-c", "ls /backups"}), true},
		{"look-alike image", sh("pg_dump > /backups/x"), uploader("ghcr.io/acme/rclone-exporter:1.0", nil), true},
		{"tool name as the tag", sh("pg_dump > /backups/x"), uploader("ghcr.io/acme/tools:rclone", nil), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs := backupCronJob(t, tc.dump, tc.other)
			cfg := lint.Config{Enable: []string{r.ID}}
			res, err := lint.Run(objs, []lint.Rule{r}, lint.Options{Config: cfg})
			require.NoError(t, err)
			assert.Equal(t, tc.fires, len(res.Findings) > 0, "the check: %v", res.Findings)
			ok, failed, err := prg.Eval(lint.NodeValue(objs[0].Root))
			require.NoError(t, err, "variable %q", failed)
			assert.Equal(t, tc.fires, !ok, "the CEL")
		})
	}
}

// uploadImagePattern is imageName in RE2, for the CEL: both read the same
// name out of every shape of reference.
func TestUploadImagePatternReadsImageName(t *testing.T) {
	env, err := celexpr.NewEnv(lint.NewestKubeMinor)
	require.NoError(t, err)
	prg, problem := env.Compile("object.matches("+celexpr.Quote(uploadImagePattern)+")", true)
	require.Nil(t, problem)
	for _, img := range []string{
		"rclone", "rclone:1.68", "rclone/rclone", "docker.io/rclone/rclone:1.68.2@sha256:abc", "localhost:5000/rclone",
		"rclone@sha256:abc", "registry.example.com:5000/a/b/aws-cli:2.22", "mc:latest",
		"rclone:a:b", "rclone:1.0/x", "a@b/rclone", "ghcr.io/acme/rclone-exporter", "ghcr.io/acme/tools:rclone", "",
		"docker.io/minio/mc:RELEASE.2024-11-21T17-21-54Z", "ghcr.io/rclone", "rclone/",
	} {
		want := false
		for _, u := range uploadImages {
			want = want || imageName(img) == u
		}
		assert.Equal(t, want, uploadImageRE.MatchString(img), "Go: %q (imageName %q)", img, imageName(img))
		ok, err := prg.Eval(img, nil)
		require.NoError(t, err)
		assert.Equal(t, want, ok, "CEL: %q", img)
	}
}
