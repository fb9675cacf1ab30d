// Package newcmd implements `platformctl new service` and `platformctl new
// datastore`, which add an entry to platform.yaml without reformatting it.
package newcmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/scaffold"
	"github.com/platformctl/platformctl/pkg/spec"
)

// NewCmd returns the new command with its subcommands.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Add a service or a data store to platform.yaml",
		Long: `New adds an entry to platform.yaml, keeping every comment, blank line, key
order and style of the file: the entry is written in the indentation and style
the existing entries use and inserted into the file's text. The result is
validated before anything is written; when the name is taken or the result
would be invalid, the file is left untouched and the exit code is 2.

Edits of one file take turns: each holds a lock on the file's directory
from reading to writing, so two runs at once both land (the second waits,
saying so on stderr, for up to a minute, then exits 2). The file is
replaced atomically, keeping its permissions (and owner, as root), only if
it still holds what the edit was made from: when an editor saved it
meanwhile, nothing is written, the exit code is 2, and running again
applies the edit to the saved file. A file without write permission (such
as mode 0444) is never edited, as root neither: exit 2, nothing written.`,
		Example: `  platformctl new service web --image ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b --expose www
  platformctl new datastore orders-db --type postgres --storage 20Gi`,
		Args: cobra.NoArgs, // "new bogus" is an unknown command, not a request for help
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(NewServiceCmd(f, nil), NewDatastoreCmd(f, nil))
	return cmd
}

// report turns a scaffold error into the command's error: a refusal prints
// its reason and then its problems, one file:line:col per line.
func report(opts cmdutil.IOStreams, err error) error {
	var refused *scaffold.RefusedError
	if errors.As(err, &refused) && len(refused.Problems) > 0 {
		fmt.Fprintln(opts.ErrOut, refused.Reason)
		return cmdutil.Fail(refused.Problems)
	}
	return cmdutil.Fail(err)
}

// checkSpec says early what is wrong with the spec path: not a regular
// file (a FIFO would block the read), or missing.
func checkSpec(file string, log cmdutil.Logger) error {
	log.Printf("reading spec %s", file)
	if err := cmdutil.CheckSpecFile(file); err != nil {
		return cmdutil.Fail(err)
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		return cmdutil.Fail(cmdutil.MissingSpec(file))
	}
	return nil
}

// locking is how the editors wait for another run editing the same
// directory: up to cmdutil.LockTimeout, saying so on stderr.
func locking(streams cmdutil.IOStreams) scaffold.Locking {
	return scaffold.Locking{Timeout: cmdutil.LockTimeout, Waiting: cmdutil.LockWaiting(streams.ErrOut)}
}

// ServiceOptions are new service's inputs.
type ServiceOptions struct {
	IO      cmdutil.IOStreams
	File    string
	Quiet   bool // edit the file, print nothing
	Log     cmdutil.Logger
	Service scaffold.Service
	// Skeleton is a directory for a starter Dockerfile and README ("": none).
	Skeleton string
	// Lock says how long to wait for another run editing the spec's
	// directory (the zero value: do not wait).
	Lock scaffold.Locking
}

// NewServiceCmd returns the new service command; runF replaces the run
// function in tests.
func NewServiceCmd(f *cmdutil.Factory, runF func(*ServiceOptions) error) *cobra.Command {
	opts := &ServiceOptions{IO: f.IO, Log: f.Logf, Lock: locking(f.IO)}
	var expose, migrate string
	var overrides, egress, identities, configFiles, ports, podAnnotations, podLabels []string
	cmd := &cobra.Command{
		Use:   "service NAME --image IMAGE",
		Short: "Add a service to platform.yaml, keeping the file's comments and layout",
		Long: `Service adds an entry to spec.services (creating the list when there is none)
and, with --env-override, entries under
spec.environments[].overrides.services.NAME. Comments, blank lines, key order,
flow or block style, indentation, CRLF line breaks and a missing final newline
are kept: the new text is inserted, nothing else changes.

The result is loaded and validated like "platformctl validate" does before it
is written. When NAME is already a service or data store, or the result would
be invalid (a bad image reference, a "uses" naming no data store, ...), the
file is not touched, every problem is printed as file:line:col: path: message
(positions in the edited text), and the exit code is 2.

--env-override ENV:key=value[,key=value...] sets the service's overrides in
environment ENV; repeat it for more environments (settings for the same
environment merge). Keys:
  replicas=N or replicas=MIN-MAX   replica range (autoscaler bounds, or fixed when equal)
  cpu=QUANTITY, memory=QUANTITY    container requests
  image=IMAGE                      a different image in that environment

--egress DESTINATION:PORT[,PORT...] lets the service connect outside the
cluster: DESTINATION is internet (every public address, never the private,
link-local or cloud metadata ranges), a CIDR, or a host name (api.stripe.com,
*.stripe.com; needs spec.network.cni: cilium); repeat it per destination.

--identity [ENV:]PROVIDER[=ID] gives the service a workload identity, its
pods' short-lived cloud credentials (without ENV:, in every environment;
with ENV:, that environment's, replacing the other whole):
  aws-irsa=ROLE_ARN             IAM roles for service accounts (needs --egress on 443 for STS)
  eks-pod-identity              EKS Pod Identity (the role is associated in AWS)
  gcp[=GOOGLE_SERVICE_ACCOUNT]  Workload Identity Federation for GKE
  azure=CLIENT_ID               Microsoft Entra Workload ID (needs --egress on 443 for Entra ID)
The other identity fields (stsRegionalEndpoints, tokenExpirationSeconds,
tenantID) are edited in the spec.
--config-file NAME=PATH (or PATH, named after its last element) mounts the
file PATH, relative to the spec's directory, as NAME in the service's config
directory (--config-mount-path, default /etc/NAME), read-only, from a
ConfigMap named after its content: editing the file and rendering again rolls
the pods. The file is read and checked like "platformctl validate" does: it
must exist, stay inside the spec's directory and be UTF-8 text.

--port NUMBER sets the service port; --port NAME=NUMBER (repeatable) adds an
extra named port, on the container and the Service, that other services'
calls reach by name (calls: [{service: NAME, port: admin}] sets
<NAME>_ADMIN_ADDR). --pod-annotation KEY=VALUE and --pod-label KEY=VALUE
(repeatable) go on every pod of the service; the keys platformctl owns
(app.kubernetes.io/*, platformctl.dev/*, lint suppressions) are refused.
Volumes, sidecars and init containers are edited in the spec.

--with-skeleton DIR also writes DIR/Dockerfile (multi-stage, distroless,
numeric non-root USER, nothing written outside /tmp, so it runs with a
read-only root filesystem) and DIR/README.md (the ports and health endpoints
the generated Deployment expects). Existing files there are never
overwritten: they are refused before anything is written. When any step
fails, nothing is left: not the spec edit, not a skeleton file, not a
directory made for them.

Edits take turns with other platformctl runs in the same directory and
replace the file only when nobody saved it meanwhile; a file without write
permission is refused, as root too (see platformctl new --help).`,
		Example: `  platformctl new service web --image ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b --expose www
  platformctl new service orders --image ghcr.io/acme/orders:2.0.1@sha256:c3f7f55f01a345cce26791a15ef9df21624a43c712a76ea9abec6c9dcca1aeab --protocol grpc --port 9090 \
      --expose api/orders.v1.Orders --uses orders-db \
      --env-override production:replicas=3-10,cpu=500m,memory=512Mi
  platformctl new service api --image ghcr.io/acme/api:1.2.0@sha256:f10206571bdc546d01df76d5540a58e3838690f037170c8eca17ab7c25917fc0 \
      --config-file app.yaml=config/api.yaml --config-file config/logging.yaml
  platformctl new service mailer --image ghcr.io/acme/mailer:0.9.0@sha256:b5b294f192b3373445612d58ea62523c6e66c615b3ad22abc15c2aa3280f0417 --worker --with-skeleton services/mailer
  platformctl new service mailer --image ghcr.io/acme/mailer:0.9.0@sha256:b5b294f192b3373445612d58ea62523c6e66c615b3ad22abc15c2aa3280f0417 --worker \
      --egress internet:443 --identity aws-irsa=arn:aws:iam::444455556666:role/shop-mailer \
      --identity production:aws-irsa=arn:aws:iam::111122223333:role/shop-mailer
  platformctl new service sales-report --image ghcr.io/acme/sales-report:1.1.0@sha256:3d6a1f0c9b8e7d5c4b3a29180f7e6d5c4b3a2918f0e1d2c3b4a5968778695a4b \
      --kind cronjob --schedule '30 2 * * *' --time-zone Europe/Dublin --uses orders-db
  platformctl new service catalog --image ghcr.io/acme/catalog:3.1.0@sha256:3abeb7584b7daabf11464d990a85bb7f26a781d574506caa94f20f1fcf037170 --protocol grpc \
      --port 3550 --port admin=3551 --pod-annotation ad.datadoghq.com/catalog.logs='[{"source":"go"}]'
  platformctl new service chat --image ghcr.io/acme/chat:1.0.0@sha256:61a69aada02953b9209b68d92169ed0f72e6c611743e2aa92c964267f385491e --protocol websocket -f platforms/shop.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = f.Setting(cmd.Flags(), "file", "file")
			opts.Service.Name = args[0]
			opts.Quiet = f.Global.Quiet
			opts.Service.Expose = expose
			if migrate != "" {
				opts.Service.Migrate = strings.Fields(migrate)
			}
			if opts.Service.Worker && opts.Service.Kind != "" && opts.Service.Kind != string(spec.KindWorker) {
				return cmdutil.Fail(fmt.Errorf("--worker and --kind %s contradict each other; give one", opts.Service.Kind))
			}
			var err error
			if opts.Service.Port, opts.Service.Ports, err = scaffold.ParsePorts(ports); err != nil {
				return cmdutil.Fail(err)
			}
			if opts.Service.PodAnnotations, err = scaffold.ParseKeyValues("--pod-annotation", podAnnotations); err != nil {
				return cmdutil.Fail(err)
			}
			if opts.Service.PodLabels, err = scaffold.ParseKeyValues("--pod-label", podLabels); err != nil {
				return cmdutil.Fail(err)
			}
			for _, s := range overrides {
				o, err := scaffold.ParseEnvOverride(s)
				if err != nil {
					return cmdutil.Fail(err)
				}
				opts.Service.Overrides = append(opts.Service.Overrides, o)
			}
			for _, s := range egress {
				e, err := scaffold.ParseEgress(s)
				if err != nil {
					return cmdutil.Fail(err)
				}
				opts.Service.Egress = append(opts.Service.Egress, e)
			}
			for _, s := range identities {
				id, err := scaffold.ParseIdentity(s)
				if err != nil {
					return cmdutil.Fail(err)
				}
				if id.Env == "" {
					if opts.Service.Identity != nil {
						return cmdutil.Fail(fmt.Errorf("--identity %q: the service's identity is already given; one --identity without ENV: per service", s))
					}
					opts.Service.Identity = id.Identity
					continue
				}
				opts.Service.Overrides = append(opts.Service.Overrides, scaffold.EnvOverride{Env: id.Env, Identity: id.Identity})
			}
			files, err := scaffold.ParseConfigFiles(configFiles)
			if err != nil {
				return cmdutil.Fail(err)
			}
			opts.Service.ConfigFiles = files
			if opts.Service.ConfigMountPath != "" && len(files) == 0 {
				return cmdutil.Fail(fmt.Errorf("--config-mount-path needs --config-file: it is where the config files are mounted"))
			}
			if runF != nil {
				return runF(opts)
			}
			return RunService(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringP("file", "f", "platform.yaml", "platform spec to edit")
	fl.StringVar(&opts.Service.Image, "image", "", "container image, pinned by tag or digest (required)")
	fl.StringArrayVar(&ports, "port", nil, "NUMBER: the port the container listens on (default 8080); NAME=NUMBER: an extra named port, on the container and the Service, that calls can name; repeatable")
	fl.StringArrayVar(&podAnnotations, "pod-annotation", nil, "KEY=VALUE: an annotation on every pod of the service (e.g. for a node agent); repeatable")
	fl.StringArrayVar(&podLabels, "pod-label", nil, "KEY=VALUE: a label on every pod of the service; repeatable")
	fl.StringVar(&opts.Service.Protocol, "protocol", "", "http (default), grpc or websocket")
	fl.BoolVar(&opts.Service.Worker, "worker", false, "a queue worker: no Service, no route, probed on its metrics port (same as --kind worker)")
	fl.StringVar(&opts.Service.Kind, "kind", "", "server (default), worker, or cronjob: a CronJob that runs to completion on --schedule")
	fl.StringVar(&opts.Service.Schedule, "schedule", "", "when a cronjob runs, in cron format (e.g. '0 3 * * *')")
	fl.StringVar(&opts.Service.TimeZone, "time-zone", "", "IANA time zone the cronjob's schedule is read in (default Etc/UTC)")
	fl.StringVar(&migrate, "migrate", "", "command of a migration Job that runs before each new version rolls out, split at spaces (e.g. '/app/migrate up')")
	fl.StringVar(&expose, "expose", "", "route public traffic: HOST (a DNS label under the domain) or HOST/PATH")
	fl.StringSliceVar(&opts.Service.Uses, "uses", nil, "data stores the service connects to (comma-separated)")
	fl.StringSliceVar(&opts.Service.Calls, "calls", nil, "services it calls, each on the callee's service port (comma-separated)")
	fl.StringArrayVar(&egress, "egress", nil, "outside destination: internet:PORT[,PORT...], CIDR:PORT[,PORT...] or HOST:PORT[,PORT...] (HOST needs network.cni: cilium); repeatable")
	fl.StringArrayVar(&identities, "identity", nil, "workload identity: [ENV:]PROVIDER[=ID] with aws-irsa=ROLE_ARN, eks-pod-identity, gcp[=GOOGLE_SERVICE_ACCOUNT] or azure=CLIENT_ID; with ENV: that environment's; repeatable")
	fl.StringArrayVar(&overrides, "env-override", nil, "ENV:key=value[,key=value...] with key replicas (N or MIN-MAX), cpu, memory or image; repeatable")
	fl.StringArrayVar(&configFiles, "config-file", nil, "NAME=PATH or PATH: mount the file PATH (relative to the spec's directory) as NAME in the service's config directory; repeatable")
	fl.StringVar(&opts.Service.ConfigMountPath, "config-mount-path", "", "directory the config files are mounted in, read-only (default /etc/NAME)")
	fl.StringVar(&opts.Skeleton, "with-skeleton", "", "also write a starter Dockerfile and README.md into this directory")
	_ = cmd.MarkFlagRequired("image") // the flag exists: this cannot fail
	return cmd
}

// RunService adds opts.Service to opts.File (and writes its skeleton).
func RunService(opts *ServiceOptions) error {
	if err := checkSpec(opts.File, opts.Log); err != nil {
		return err
	}
	var res *scaffold.Result
	skeleton, err := scaffold.EditFile(opts.File, opts.Lock, func(data []byte) (*scaffold.Edit, error) {
		r, err := scaffold.AddService(opts.File, data, opts.Service)
		if err != nil {
			return nil, err
		}
		res = r
		ed := &scaffold.Edit{Data: r.Data}
		if opts.Skeleton != "" {
			if ed.Files, err = scaffold.Skeleton(r.Doc.Platform, opts.Service.Name); err != nil {
				return nil, err
			}
			ed.Dir = opts.Skeleton
		}
		return ed, nil
	})
	if err != nil {
		return report(opts.IO, err)
	}
	opts.Log.Printf("wrote %s", opts.File)
	for _, p := range skeleton {
		opts.Log.Printf("wrote %s", p)
	}
	if opts.Quiet {
		return nil
	}
	fmt.Fprintf(opts.IO.Out, "%s:%d: added service %s\n", opts.File, res.Pos.Line, opts.Service.Name)
	for _, p := range skeleton {
		fmt.Fprintf(opts.IO.Out, "wrote %s\n", p)
	}
	printNext(opts.IO, opts.File)
	return nil
}

func printNext(io cmdutil.IOStreams, file string) {
	f := ""
	if filepath.Clean(file) != "platform.yaml" {
		f = " -f " + file
	}
	fmt.Fprintf(io.Out, "next: platformctl render%s   # then review the diff of deploy/\n", f)
}

// DatastoreOptions are new datastore's inputs.
type DatastoreOptions struct {
	IO        cmdutil.IOStreams
	File      string
	Quiet     bool // edit the file, print nothing
	Log       cmdutil.Logger
	DataStore scaffold.DataStore
	// Lock is as ServiceOptions.Lock.
	Lock scaffold.Locking
}

// NewDatastoreCmd returns the new datastore command; runF replaces the run
// function in tests.
func NewDatastoreCmd(f *cmdutil.Factory, runF func(*DatastoreOptions) error) *cobra.Command {
	opts := &DatastoreOptions{IO: f.IO, Log: f.Logf, Lock: locking(f.IO)}
	cmd := &cobra.Command{
		Use:     "datastore NAME --type TYPE",
		Aliases: []string{"data"},
		Short:   "Add a data store to platform.yaml, keeping the file's comments and layout",
		Long: `Datastore adds an entry to spec.data (creating the list when there is none),
keeping the rest of the file byte for byte, as "new service" does.

An in-cluster store runs as a StatefulSet with a volume (--storage, default
10Gi) and may be backed up (--backup-schedule, a cron schedule). A managed
store is a binding to an endpoint outside the cluster (--endpoint host:port)
in the networks --cidr names (its provider's subnets; the consumers' egress
opens only those, and only with spec.network.cni: cilium may they be left
out, the endpoint's host then being opened by name); --mode defaults to
managed when --endpoint is given, else to in-cluster.

The result is validated first; when the name is taken or the result would be
invalid, the file is not touched, the problems are printed as
file:line:col: path: message, and the exit code is 2. Concurrent runs,
an editor's save in between and read-only files are handled as for
"new service" (see platformctl new --help).`,
		Example: `  platformctl new datastore orders-db --type postgres --storage 20Gi --backup-schedule "0 3 * * *"
  platformctl new datastore cache --type redis
  platformctl new datastore jobs --type rabbitmq --endpoint jobs.mq.example.internal:5671 --cidr 10.20.8.0/24`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = f.Setting(cmd.Flags(), "file", "file")
			opts.DataStore.Name = args[0]
			opts.Quiet = f.Global.Quiet
			if runF != nil {
				return runF(opts)
			}
			return RunDatastore(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringP("file", "f", "platform.yaml", "platform spec to edit")
	fl.StringVar(&opts.DataStore.Type, "type", "", "postgres, mysql, redis, rabbitmq, nats or kafka (required)")
	fl.StringVar(&opts.DataStore.Mode, "mode", "", "in-cluster, operator or managed (default: managed with --endpoint, else the tier decides: operator in staging and production for postgres, in-cluster otherwise)")
	fl.StringVar(&opts.DataStore.Endpoint, "endpoint", "", "host:port of a managed store")
	fl.StringSliceVar(&opts.DataStore.CIDRs, "cidr", nil, "networks a managed store's addresses lie in (comma-separated or repeated)")
	fl.StringVar(&opts.DataStore.Image, "image", "", "engine image of an in-cluster store (default: the official image of --type; production needs it pinned by digest)")
	fl.StringVar(&opts.DataStore.ExporterImage, "exporter-image", "", "metrics exporter image of an in-cluster store when observability.metrics is on (production needs it pinned by digest)")
	fl.StringVar(&opts.DataStore.Storage, "storage", "", "volume size of an in-cluster store (default 10Gi)")
	fl.StringVar(&opts.DataStore.TLS, "tls", "", "how consumers connect to a managed store: verify-full (default), verify-ca, require or disable")
	fl.StringVar(&opts.DataStore.CA, "ca", "", "secret-store key (key#property) of the CA that signed a managed store's certificate")
	fl.BoolVar(&opts.DataStore.EncryptedAtRest, "encrypted-at-rest", false, "declare that the provider encrypts a managed store at rest (production requires it)")
	fl.StringVar(&opts.DataStore.StorageClass, "storage-class", "", "storage class of an in-cluster or operator store's volumes (default: the spec's first encryptedStorageClasses entry)")
	fl.StringVar(&opts.DataStore.BackupSchedule, "backup-schedule", "", `cron schedule of backups of an in-cluster store, e.g. "0 3 * * *"`)
	_ = cmd.MarkFlagRequired("type") // the flag exists: this cannot fail
	return cmd
}

// RunDatastore adds opts.DataStore to opts.File.
func RunDatastore(opts *DatastoreOptions) error {
	if err := checkSpec(opts.File, opts.Log); err != nil {
		return err
	}
	var res *scaffold.Result
	_, err := scaffold.EditFile(opts.File, opts.Lock, func(data []byte) (*scaffold.Edit, error) {
		r, err := scaffold.AddDataStore(opts.File, data, opts.DataStore)
		if err != nil {
			return nil, err
		}
		res = r
		return &scaffold.Edit{Data: r.Data}, nil
	})
	if err != nil {
		return report(opts.IO, err)
	}
	opts.Log.Printf("wrote %s", opts.File)
	if opts.Quiet {
		return nil
	}
	fmt.Fprintf(opts.IO.Out, "%s:%d: added data store %s\n", opts.File, res.Pos.Line, opts.DataStore.Name)
	printNext(opts.IO, opts.File)
	return nil
}
