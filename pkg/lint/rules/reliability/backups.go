package reliability

import (
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/celexpr"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// Backups: what a container's command line says it does. A container runs
// a tool when its command and args, joined by spaces as the runtime hands
// them to the process (shell scripts in them included), hold the tool's
// name as a word — delimited by anything but a letter, digit, '_', '.' or
// '-', so /usr/bin/pg_dump counts and pg_dump.sh or --no-pg_dump do not —
// followed, for tools that only upload or dump with a subcommand or flag,
// by that word later in the same shell command (before ; & | or a line
// end; backslash-newline continues the line). The same patterns are the
// rule's CEL, so lint and admission read a command line alike.

// toolPattern is a tool as a pattern on a command line: word, then (when
// set) then, both RE2.
type toolPattern struct {
	name, word, then string
}

// dumpTools write a database's contents to files.
var dumpTools = []toolPattern{
	{name: "pg_dump", word: `pg_dump`},
	{name: "pg_dumpall", word: `pg_dumpall`},
	{name: "pg_basebackup", word: `pg_basebackup`},
	{name: "mysqldump", word: `mysqldump`},
	{name: "mysqlpump", word: `mysqlpump`},
	{name: "mariadb-dump", word: `mariadb-dump`},
	{name: "mariadb-backup", word: `mariadb-backup|mariabackup`},
	{name: "xtrabackup", word: `xtrabackup`},
	{name: "mongodump", word: `mongodump`},
	{name: "redis-cli --rdb", word: `redis-cli|valkey-cli|keydb-cli`, then: `--rdb`},
	{name: "etcdctl snapshot save", word: `etcdctl`, then: `snapshot[ \t]+save`},
}

// uploadTools copy files to object storage or another site. A tool that
// may also write locally (restic or kopia with a local repository) counts
// as an upload: the rule would rather miss a backup kept local than
// report one that is not.
var uploadTools = []toolPattern{
	{name: "rclone", word: `rclone`},
	{name: "restic", word: `restic`},
	{name: "kopia", word: `kopia`},
	{name: "s3cmd", word: `s3cmd`},
	{name: "s5cmd", word: `s5cmd`},
	{name: "mc (MinIO Client)", word: `mc`},
	{name: "aws s3", word: `aws`, then: `s3|s3api`},
	{name: "gsutil", word: `gsutil`},
	{name: "gcloud storage", word: `gcloud`, then: `storage`},
	{name: "azcopy", word: `azcopy`},
	{name: "az storage", word: `az`, then: `storage`},
	{name: "barman-cloud-backup", word: `barman-cloud-backup|barman-cloud-wal-archive`},
	{name: "wal-g", word: `wal-g`},
	{name: "wal-e", word: `wal-e`},
	{name: "curl --upload-file", word: `curl`, then: `-T|--upload-file`},
}

// uploadImages are images whose entrypoint is an upload tool: a
// container of one that sets no command uploads (whatever its args).
var uploadImages = []string{"aws-cli", "kopia", "mc", "rclone", "restic", "s5cmd"}

// wordEdge is what delimits a tool's name on a command line.
const wordEdge = `[^A-Za-z0-9_.-]`

// pattern is t as one RE2 pattern.
func (t toolPattern) pattern() string {
	p := `(^|` + wordEdge + `)(` + t.word + `)`
	if t.then != "" {
		p += `[ \t]([^;&|\n]*[ \t])?(` + t.then + `)`
	}
	return p + `($|` + wordEdge + `)`
}

// anyPattern is one pattern matching where any of ts does: the tools
// that are a word alone as one alternation of words, each other tool as
// its own pattern.
func anyPattern(ts []toolPattern) string {
	var words, ps []string
	for _, t := range ts {
		if t.then == "" {
			words = append(words, t.word)
		} else {
			ps = append(ps, t.pattern())
		}
	}
	if len(words) > 0 {
		ps = append([]string{toolPattern{word: strings.Join(words, "|")}.pattern()}, ps...)
	}
	return strings.Join(ps, "|")
}

// uploadImagePattern matches an image of uploadImages as imageName reads
// it: any path before the last '/', then the name, a tag and a digest.
var uploadImagePattern = `^([^@]*/)?(` + strings.Join(uploadImages, "|") + `)(:[^/@:]*)?(@.*)?$`

// compiledTool is a toolPattern compiled once.
type compiledTool struct {
	name string
	re   *regexp.Regexp
}

func compileTools(ts []toolPattern) []compiledTool {
	out := make([]compiledTool, len(ts))
	for i, t := range ts {
		out[i] = compiledTool{name: t.name, re: regexp.MustCompile(t.pattern())}
	}
	return out
}

var (
	dumpRE        = compileTools(dumpTools)
	uploadRE      = compileTools(uploadTools)
	uploadImageRE = regexp.MustCompile(uploadImagePattern)
)

// commandLine is a container's command and args as one line, with
// backslash-newline continuations joined.
func commandLine(c *lint.Container) string {
	argv := append(lint.Strings(lint.Field(c.Node, "command")), lint.Strings(lint.Field(c.Node, "args"))...)
	return strings.ReplaceAll(strings.Join(argv, " "), "\\\n", " ")
}

// runs returns the name of the first of ts that line runs, or "".
func runs(line string, ts []compiledTool) string {
	for _, t := range ts {
		if t.re.MatchString(line) {
			return t.name
		}
	}
	return ""
}

// uploads says whether c copies files off the cluster.
func uploads(c *lint.Container) bool {
	if runs(commandLine(c), uploadRE) != "" {
		return true
	}
	return len(lint.Items(lint.Field(c.Node, "command"))) == 0 && uploadImageRE.MatchString(lint.Str(lint.Field(c.Node, "image")))
}

// pvcMount is a writable mount of a PersistentVolumeClaim volume.
type pvcMount struct {
	path, volume, claim string
}

// firstPVCMount is c's first writable mount of a PersistentVolumeClaim
// volume of p (neither the mount nor the volume readOnly). Generic
// ephemeral volumes are claims too, but deleted with the pod: a backup
// there is lost with it, not kept beside the database.
func firstPVCMount(p *lint.Pod, c *lint.Container) (pvcMount, bool) {
	volumes := lint.Items(lint.Field(p.Spec, "volumes"))
	for i, m := range lint.Items(lint.Field(c.Node, "volumeMounts")) {
		if lint.IsTrue(lint.Field(m, "readOnly")) {
			continue
		}
		name := lint.Str(lint.Field(m, "name"))
		for _, v := range volumes {
			claim := lint.Field(v, "persistentVolumeClaim")
			if lint.Str(lint.Field(v, "name")) != name || claim == nil || claim.Kind != yaml.MappingNode || lint.IsTrue(lint.Field(claim, "readOnly")) {
				continue
			}
			return pvcMount{path: c.Path + ".volumeMounts[" + strconv.Itoa(i) + "]", volume: name, claim: lint.Str(lint.Field(claim, "claimName"))}, true
		}
	}
	return pvcMount{}, false
}

// celBackupOnlyToPVC is the rule in CEL: the same patterns, on the
// containers of every kind (variables.containers).
var celBackupOnlyToPVC = func() string {
	line := "(c.?command.orValue([]) + c.?args.orValue([])).join(' ').replace('\\\\\\n', ' ')"
	dumps := line + ".matches(" + celexpr.Quote(anyPattern(dumpTools)) + ")"
	writesPVC := "c.?volumeMounts.orValue([]).exists(m, m.?readOnly.orValue(false) != true && " +
		"variables.podSpec.?volumes.orValue([]).exists(v, v.?name.orValue('') == m.?name.orValue('') && " +
		"type(v.?persistentVolumeClaim.orValue(null)) == map && v.persistentVolumeClaim.?readOnly.orValue(false) != true))"
	uploads := "(" + line + ".matches(" + celexpr.Quote(anyPattern(uploadTools)) + ") || " +
		"c.?command.orValue([]).size() == 0 && c.?image.orValue('').matches(" + celexpr.Quote(uploadImagePattern) + "))"
	return "!variables.containers.exists(c, " + dumps + " && " + writesPVC + ") || variables.containers.exists(c, " + uploads + ")"
}()

func backupOnlyToPVC() lint.Rule {
	return lint.Rule{
		ID: "backup-only-to-pvc", Title: "Database backups kept only on a PersistentVolumeClaim", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "A CronJob dumps a database onto a PersistentVolumeClaim and nothing in its pod copies the dump off the cluster. The claim's volume lives in the same cluster, usually the same zone and storage system, as the database's own: " +
			"a deleted namespace or cluster, a lost zone, a broken storage class or a compromised account destroys the database and its backups together, and a restore has nothing to start from. " +
			"A container dumps when its command and args (shell scripts in them included) run " + toolNames(dumpTools) + ", and writes to the claim when it mounts a persistentVolumeClaim volume that neither the mount nor the volume makes readOnly. " +
			"Any container of the pod (an init container, a sidecar, the dumping container itself) uploads when it runs " + toolNames(uploadTools) +
			", or sets no command in an image whose entrypoint is one (" + strings.Join(uploadImages, ", ") + "). " +
			"A dump to an emptyDir streamed to object storage, or to a claim another container uploads from, is not reported. " +
			"Copies made outside the pod — a second CronJob, Velero or k8up backing up the claim, replication of the storage system to another site — are not visible in the manifest: ignore the rule with the reason there.",
		Remediation: "Send backups to object storage in another failure domain: upload the dump from the same pod (rclone, aws s3 cp, gcloud storage cp, azcopy; an init container that dumps and a container that uploads), " +
			"or move the database to an operator that archives to object storage itself (CloudNativePG with the Barman Cloud plugin's ObjectStore and a ScheduledBackup). " +
			"Keep the claim, if at all, as a fast local copy.",
		References: []string{"https://cloudnative-pg.io/documentation/current/backup/", "https://www.postgresql.org/docs/current/backup-dump.html"},
		CEL:        lint.PodCELOf([]string{facts.KindCronJob}, celBackupOnlyToPVC, "the CronJob dumps a database onto a PersistentVolumeClaim and no container of its pod uploads the backup off the cluster"),
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind != facts.KindCronJob {
				return
			}
			p, cs := o.Containers()
			if p == nil {
				return
			}
			for i := range cs {
				if uploads(&cs[i]) {
					return
				}
			}
			for i := range cs {
				c := &cs[i]
				tool := runs(commandLine(c), dumpRE)
				if tool == "" {
					continue
				}
				if m, ok := firstPVCMount(p, c); ok {
					r.Report(o, m.path, "CronJob %q: %s runs %s onto PersistentVolumeClaim %q (volume %q) and no container of the pod uploads the backup off the cluster; "+
						"a lost cluster, zone or storage class loses the database and its backups together, so send them to object storage",
						o.Name, c.Who(), tool, m.claim, m.volume)
					return
				}
			}
		},
	}
}

// toolNames lists ts for a description: pg_dump, pg_dumpall or mongodump.
func toolNames(ts []toolPattern) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.name
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
