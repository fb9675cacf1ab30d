// Package restore runs the backup and restore-test scripts platformctl
// renders into its CronJobs, for real: a live PostgreSQL and Redis are
// dumped by the dump step, the dump goes through rclone to a bucket (a
// local rclone remote standing in for S3, GCS or Azure), and the restore
// test fetches the newest one and restores it into a throwaway server, as
// the CronJobs' containers would. What stays untested is the cluster
// around them (volumes, images, the object storage's own API); the e2e
// tier checks that the API server accepts the objects.
//
// The engines' and rclone's binaries come from the machine (make restore
// installs them); without them each case is skipped, unless
// PLATFORMCTL_RESTORE_TOOLS=required, which makes a missing tool a failure.
package restore

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// podUID is the UID the backup and restore-test pods run as
// (generate's storeUID), which no image has a user for: the restore
// script gives initdb one through nss_wrapper, as the postgres image's
// entrypoint would. The live servers run as nobody (initdb refuses root
// and needs a user).
const (
	podUID    = "10001"
	serverUID = "65534"
)

// tool finds a binary in PATH or in PostgreSQL's versioned directory.
func tool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name); len(m) > 0 {
		return m[len(m)-1]
	}
	if os.Getenv("PLATFORMCTL_RESTORE_TOOLS") == "required" {
		t.Fatalf("%s is not installed (make restore installs it)", name)
	}
	t.Skipf("%s is not installed; make restore installs the engines and rclone", name)
	return ""
}

// sandbox is one case's directories, standing in for the pod's mounts.
type sandbox struct {
	root, backups, creds, scratch, tmp, bucket, bin string
}

func newSandbox(t *testing.T, tools ...string) *sandbox {
	t.Helper()
	root := t.TempDir()
	// The servers and scripts run unprivileged: the tree (and the test's
	// own temporary directory above it) must be open to them.
	for _, d := range []string{filepath.Dir(root), root} {
		require.NoError(t, os.Chmod(d, 0o777))
	}
	s := &sandbox{root: root}
	for name, d := range map[string]*string{"backups": &s.backups, "creds": &s.creds, "scratch": &s.scratch, "tmp": &s.tmp, "bucket": &s.bucket, "bin": &s.bin} {
		*d = filepath.Join(root, name)
		s.addDir(t, *d)
	}
	// The scripts call the tools by name, as the images' PATH finds them.
	for _, name := range tools {
		require.NoError(t, os.Symlink(tool(t, name), filepath.Join(s.bin, name)))
	}
	return s
}

func (s *sandbox) addDir(t *testing.T, d string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(d, 0o777))
	require.NoError(t, os.Chmod(d, 0o777))
}

// localize points a script's absolute paths at the sandbox and its store
// host at the local server.
func (s *sandbox) localize(script string, local map[string]string) string {
	pairs := []string{
		generate.BackupsDir, s.backups,
		generate.SecretsDir, s.creds,
		"/scratch", s.scratch,
		"/tmp/", s.tmp + "/",
	}
	for k, v := range local {
		pairs = append(pairs, k, v)
	}
	return strings.NewReplacer(pairs...).Replace(script)
}

// run runs a step of a CronJob's pod with sh, as the pod's UID, in the
// bucket root (where the local rclone remote keeps its objects), with env.
func (s *sandbox) run(t *testing.T, script string, env ...string) (string, error) {
	t.Helper()
	return s.runAs(t, podUID, script, env...)
}

// serve runs a step of the live server's setup, as a user with a name.
func (s *sandbox) serve(t *testing.T, script string) (string, error) {
	t.Helper()
	return s.runAs(t, serverUID, script)
}

func (s *sandbox) runAs(t *testing.T, uid, script string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	if os.Geteuid() == 0 {
		cmd = exec.Command("setpriv", "--reuid="+uid, "--regid="+uid, "--clear-groups", "sh", "-c", script)
	} else if uid == podUID {
		t.Skip("runs the pods' steps as UID " + podUID + ", which needs root to switch to")
	}
	cmd.Dir = s.bucket
	cmd.Env = append([]string{"PATH=" + s.bin + ":/usr/bin:/bin", "HOME=" + s.tmp, "TZ=UTC"}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// rcloneEnv is the rclone container's environment, with the remote made a
// local directory: the scripts, not the provider's API, are under test.
func rcloneEnv(c map[string]any, s *sandbox) []string {
	var env []string
	for _, e := range asList(c["env"]) {
		m := asMap(e)
		name, _ := m["name"].(string)
		if strings.HasPrefix(name, "RCLONE_CONFIG_BACKUPS_") || name == "HOME" || name == "RCLONE_CONFIG" {
			continue
		}
		if v, ok := m["value"].(string); ok {
			env = append(env, name+"="+v)
		}
	}
	return append(env, "RCLONE_CONFIG="+filepath.Join(s.tmp, "rclone.conf"), "RCLONE_CONFIG_BACKUPS_TYPE=local")
}

// cronJob is the named CronJob of env in the example, with its init
// container and container by name.
func cronJob(t *testing.T, example, env, name string) map[string]map[string]any {
	t.Helper()
	d, err := spec.LoadAndValidate(filepath.Join("..", "..", "examples", example, "platform.yaml"))
	require.NoError(t, err)
	objs, err := render.Environment(d.Platform, env)
	require.NoError(t, err)
	for _, o := range objs {
		if manifest.String(o.Map, "kind") != "CronJob" || manifest.String(o.Map, "metadata", "name") != name {
			continue
		}
		pod := asMap(manifest.Get(o.Map, "spec", "jobTemplate", "spec", "template", "spec"))
		out := map[string]map[string]any{}
		for _, c := range append(asList(pod["initContainers"]), asList(pod["containers"])...) {
			out[asMap(c)["name"].(string)] = asMap(c)
		}
		return out
	}
	t.Fatalf("%s/%s: no CronJob %s", example, env, name)
	return nil
}

// script is a container's script: the last argument of sh -c.
func script(c map[string]any) string {
	args := asList(c["args"])
	s, _ := args[len(args)-1].(string)
	return s
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

var passed = regexp.MustCompile(`restore test passed: \S+ restored \((\d+) tables or keys\)`)

// roundTrip runs a store's dump, upload, fetch and restore as its CronJobs
// would, and returns what the restore step printed.
func roundTrip(t *testing.T, s *sandbox, backup, restore map[string]map[string]any, local map[string]string) string {
	t.Helper()
	out, err := s.run(t, s.localize(script(backup["dump"]), local))
	require.NoError(t, err, "dump: %s", out)
	assert.Contains(t, out, "dump written")
	out, err = s.run(t, s.localize(script(backup["upload"]), local), rcloneEnv(backup["upload"], s)...)
	require.NoError(t, err, "upload: %s", out)
	// The upload left the dump in the bucket, and the fetch starts from
	// an empty volume, as a new pod's.
	entries, err := os.ReadDir(s.backups)
	require.NoError(t, err)
	for _, e := range entries {
		require.NoError(t, os.Remove(filepath.Join(s.backups, e.Name())))
	}
	out, err = s.run(t, s.localize(script(restore["fetch"]), local), rcloneEnv(restore["fetch"], s)...)
	require.NoError(t, err, "fetch: %s", out)
	out, err = s.run(t, s.localize(script(restore["restore"]), local))
	require.NoError(t, err, "restore: %s", out)
	return out
}

func TestPostgresDumpUploadFetchRestore(t *testing.T) {
	s := newSandbox(t, "pg_dump", "pg_restore", "psql", "initdb", "pg_ctl", "createdb", "postgres", "rclone")
	// The live store: a server with the store's database and user, and a
	// table the restore must bring back.
	live := filepath.Join(s.root, "live")
	s.addDir(t, live)
	port := freePort(t)
	for _, step := range []string{
		"initdb --username=orders_db --auth=trust -D " + live + "/data > /dev/null",
		"pg_ctl --wait --silent -D " + live + "/data -o \"-c listen_addresses=127.0.0.1 -p " + port + " -k " + live + "\" -l " + live + "/log start",
		"createdb --host=127.0.0.1 --port=" + port + " --username=orders_db orders_db",
		"psql --host=127.0.0.1 --port=" + port + " --username=orders_db --dbname=orders_db -qc 'create table orders (id int primary key, total numeric); insert into orders values (1, 9.5), (2, 12)'",
	} {
		out, err := s.serve(t, step)
		require.NoError(t, err, "%s: %s", step, out)
	}
	t.Cleanup(func() { _, _ = s.serve(t, "pg_ctl --wait --silent -D "+live+"/data stop -m fast") })
	require.NoError(t, os.WriteFile(filepath.Join(s.creds, "username"), []byte("orders_db"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(s.creds, "password"), []byte("unused-with-trust"), 0o644))

	backup := cronJob(t, "shop", "dev", "orders-db-backup")
	restore := cronJob(t, "shop", "dev", "orders-db-restore-test")
	out := roundTrip(t, s, backup, restore, map[string]string{"--host=orders-db ": "--host=127.0.0.1 --port=" + port + " "})
	m := passed.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	assert.Equal(t, "1", m[1], "the one table came back: %s", out)
}

func TestRedisDumpUploadFetchRestore(t *testing.T) {
	s := newSandbox(t, "redis-server", "redis-cli", "redis-check-rdb", "rclone")
	port := freePort(t)
	live := filepath.Join(s.root, "live")
	s.addDir(t, live)
	out, err := s.serve(t, "redis-server --port "+port+" --bind 127.0.0.1 --dir "+live+" --requirepass s3cret --daemonize yes --pidfile "+live+"/pid && "+
		"for i in $(seq 50); do REDISCLI_AUTH=s3cret redis-cli -p "+port+" ping > /dev/null 2>&1 && break; sleep 0.1; done && "+
		"for k in cart:1 cart:2 cart:3; do REDISCLI_AUTH=s3cret redis-cli -p "+port+" set $k v > /dev/null; done")
	require.NoError(t, err, out)
	t.Cleanup(func() { _, _ = s.serve(t, "REDISCLI_AUTH=s3cret redis-cli -p "+port+" shutdown nosave") })
	require.NoError(t, os.WriteFile(filepath.Join(s.creds, "password"), []byte("s3cret"), 0o644))

	backup := cronJob(t, "microservices", "dev", "cart-redis-backup")
	restore := cronJob(t, "microservices", "dev", "cart-redis-restore-test")
	out = roundTrip(t, s, backup, restore, map[string]string{"-h cart-redis ": "-h 127.0.0.1 -p " + port + " "})
	m := passed.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	assert.Equal(t, "3", m[1], "the three keys came back: %s", out)
}

// TestRestoreTestFailsLoudly: with no backup in the bucket, or only one
// older than 48 hours, the fetch step fails with the message the alert's
// runbook names, and never reaches the restore.
func TestRestoreTestFailsLoudly(t *testing.T) {
	s := newSandbox(t, "rclone")
	restore := cronJob(t, "shop", "dev", "orders-db-restore-test")
	fetch := s.localize(script(restore["fetch"]), nil)
	out, err := s.run(t, fetch, rcloneEnv(restore["fetch"], s)...)
	require.Error(t, err)
	assert.Contains(t, out, "RESTORE TEST FAILED for orders-db: no backup in")

	// A dump named three days ago, where the upload would have put it.
	remote := regexp.MustCompile(`backups:(\S+)`).FindStringSubmatch(script(cronJob(t, "shop", "dev", "orders-db-backup")["upload"]))
	require.NotNil(t, remote)
	dir := filepath.Join(s.bucket, remote[1])
	s.addDir(t, dir)
	old := time.Now().UTC().Add(-72 * time.Hour).Format("20060102T150405Z")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "orders-db-"+old+".dump"), []byte("x"), 0o666))
	out, err = s.run(t, fetch, rcloneEnv(restore["fetch"], s)...)
	require.Error(t, err)
	assert.Contains(t, out, "is older than 48 hours")
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func asList(v any) []any { l, _ := v.([]any); return l }
