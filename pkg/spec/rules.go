package spec

import (
	"fmt"
	"io/fs"
	"net"
	"reflect"
	"strings"
	"sync"

	"github.com/platformctl/platformctl/pkg/imageref"
)

// Rule is one cross-field rule: what field rules cannot see (references
// between entries, uniqueness, combinations that make no sense, names built
// from several values). It is declared here once: Validate runs its check,
// and docs/spec.md (pkg/specdoc) shows its paths, words and messages. A new
// rule is one row of Rules.
type Rule struct {
	// At are the paths it reports at, written as docs/spec.md writes them:
	// [*] is any list item, [<name>] any map key.
	At []string
	// Doc says the rule in one Markdown sentence.
	Doc string
	// Msgs are the messages it reports, as fmt formats; the check picks one
	// by its index.
	Msgs []string
	// check reports every violation in a spec.
	check func(c *checkContext, report reportFunc)
	// Schema says why the JSON Schema leaves the rule to the loader, or is
	// "" when the schema carries it as Pattern.
	Schema string
	// Pattern and Exclude, for a rule that looks at one value only, are a
	// regexp every value at At matches and one none matches: the JSON
	// Schema carries the rule with them (a pattern and a "not").
	Pattern, Exclude string
}

// reportFunc reports a violation at path with the rule's message msg (an
// index into Msgs) and its arguments.
type reportFunc func(path string, msg int, args ...any)

// checkContext is what many checks look up, built once per validation.
type checkContext struct {
	p *Platform
	// dir is the spec's directory, where the files it names are read; ""
	// when it was not read from a file.
	dir string
	s   *PlatformSpec
	// data maps a store name to its store (the last one, when a name is
	// duplicated: that is reported on its own).
	data map[string]*DataStore
	// services holds every service name.
	services map[string]bool
	// files is where config files are read from (Document.Files), and
	// fromFile the contents read from there (see configSource).
	files    fs.FS
	fromFile map[*string]bool
}

func newCheckContext(p *Platform, dir string) *checkContext {
	c := &checkContext{p: p, dir: dir, s: &p.Spec, data: map[string]*DataStore{}, services: map[string]bool{}, fromFile: map[*string]bool{}}
	for i := range c.s.Data {
		c.data[c.s.Data[i].Name] = &c.s.Data[i]
	}
	for _, svc := range c.s.Services {
		c.services[svc.Name] = true
	}
	return c
}

// overrides calls fn for every service override of every environment that
// names an existing service (the others are reported by serviceExists), in
// a stable order, with the override's path.
func (c *checkContext) overrides(fn func(path string, e *Environment, o ServiceOverride)) {
	for i := range c.s.Environments {
		e := &c.s.Environments[i]
		for _, name := range SortedKeys(e.Overrides.Services) {
			if c.services[name] {
				fn(fmt.Sprintf("spec.environments[%d].overrides.services[%s]", i, name), e, e.Overrides.Services[name])
			}
		}
	}
}

// checkSemantics runs every rule of Rules on p, reading config files from
// files and recording what it read in fromFile.
func checkSemantics(p *Platform, dir string, files fs.FS, fromFile map[*string]bool, add addFunc) {
	c := newCheckContext(p, dir)
	c.files, c.fromFile = files, fromFile
	for _, r := range Rules() {
		r.check(c, func(path string, msg int, args ...any) { add(path, r.Msgs[msg], args...) })
	}
}

// Why the JSON Schema leaves rules to the loader (Rule.Schema), shared by
// many rows.
const (
	whyUnique    = "uniqueness of one key across entries: uniqueItems compares whole items, and there is no keyword to compare a key of one entry with keys of others"
	whyReference = "a reference to another entry of the spec: JSON Schema cannot relate one value to the set of values elsewhere in the instance"
	whySibling   = "depends on a sibling's value (if/then or not/required in JSON Schema); kept with the loader so the schema stays generated from the field tags, not from hand-written rules"
	whyBuiltName = "a name platformctl builds from several values: its length depends on values elsewhere in the spec"
	whyNetwork   = "a relation between two networks (one containing the other): a pattern sees the text, not the addresses it stands for"
	whyTier      = "depends on the environment's tier: expressible only as if/then over the enclosing environment, which the field tags do not say"
	whyFiles     = "about files next to the spec, which the schema cannot read"
)

// Rules returns the cross-field rules, in the order docs/spec.md lists them.
// They are built on first use: the documentation of some is computed from
// the types (the brokers among the data store types).
func Rules() []Rule { return rules() }

var rules = sync.OnceValue(func() []Rule {
	var brokers []string
	for _, t := range oneOf(reflect.TypeOf(DataStore{}), "Type") {
		if IsBroker(DataStoreType(t)) {
			brokers = append(brokers, "`"+t+"`")
		}
	}
	cfg := configRules()
	const (
		env  = "spec.environments[*]"
		svc  = "spec.services[*]"
		data = "spec.data[*]"
		ovr  = "spec.environments[*].overrides.services[<name>]"
		team = "spec.teams[*]"
	)
	return append([]Rule{
		{
			At:     []string{"spec.kustomize.components[*]", env + ".kustomize.components[*]"},
			Doc:    "Each component is a directory inside the spec's directory (no `..`, no absolute path, no symbolic link out) holding a kustomization.yaml of kind Component, whose references stay inside the spec's directory and are local files, not remote resources; its files are read when the spec is loaded, at most 4 MiB in all.",
			Msgs:   componentMsgs,
			check:  checkComponents,
			Schema: whyFiles,
		},
		{
			At:     []string{env + ".name"},
			Doc:    "Environment names are unique.",
			Msgs:   []string{"duplicate environment name %q"},
			check:  uniqueEnvironments,
			Schema: whyUnique,
		},
		{
			At:     []string{"spec.promotion[*]"},
			Doc:    "Promotion names existing environments, each once, from the least strict tier to the most (a stage never promotes into a laxer tier).",
			Msgs:   promotionMsgs,
			check:  checkPromotion,
			Schema: whyReference,
		},
		{
			At:     []string{env + ".zones"},
			Doc:    "A zone is listed once.",
			Msgs:   []string{"zone %q is listed twice"},
			check:  zonesOnce,
			Schema: whyUnique,
		},
		{
			At:     []string{env + ".zones"},
			Doc:    "A production environment lists at least two zones, or says in `singleZoneReason` why it does not.",
			Msgs:   []string{"production needs at least two zones to survive a zone outage; list them, or set singleZoneReason to say why not"},
			check:  productionZones,
			Schema: whyTier,
		},
		{
			At:     []string{"spec.lint.peerAnnotations"},
			Doc:    "A peer linter is listed once.",
			Msgs:   []string{"%q is listed twice"},
			check:  peersOnce,
			Schema: whyUnique,
		},
		{
			At:     []string{svc + ".name"},
			Doc:    "Service names are unique.",
			Msgs:   []string{"duplicate service name %q"},
			check:  uniqueServices,
			Schema: whyUnique,
		},
		{
			At:     []string{svc + ".name"},
			Doc:    "A service and a data store do not share a name.",
			Msgs:   []string{"%q is also a data store name; names must be unique across services and data"},
			check:  servicesAndDataApart,
			Schema: whyUnique,
		},
		{
			At:      []string{svc + ".image", svc + ".canary.image", svc + ".sidecars[*].image", svc + ".initContainers[*].image", ovr + ".image", data + ".image", data + ".exporterImage", data + ".proxyImage"},
			Doc:     "Images are pinned: by digest (`@sha256:…`, with or without a tag), or by a tag other than `latest`.",
			Msgs:    []string{"%q has no tag; pin a version (e.g. %s:1.2.3) or a digest (@sha256:…)", "%q uses the mutable tag latest; pin a version or a digest"},
			check:   imagesPinned,
			Pattern: PinnedImagePattern,
			Exclude: `:latest$`,
		},
		{
			At:     []string{svc + ".image", svc + ".canary.image", svc + ".sidecars[*].image", svc + ".initContainers[*].image", ovr + ".image", data + ".image", data + ".exporterImage", data + ".proxyImage", "spec.observability.tracing.collectorImage", "spec.observability.logs.agentImage", "spec.backupStorage.uploaderImage", "spec.backupStorage.kubectlImage", "spec.environments[*].backupStorage.uploaderImage", "spec.environments[*].backupStorage.kubectlImage"},
			Doc:    "Every image that runs in a production environment — written in the spec or a default platformctl picks — is pinned by digest; " + "with `security.allowedRegistries`, every image comes from a listed registry (Docker Hub short names count as docker.io).",
			Msgs:   []string{"%s is not pinned by digest, which production environments require: a tag can be moved; pin it as %s@sha256:<digest> (crane digest %s prints it)", "%s comes from %s, which spec.security.allowedRegistries does not list (%s); use a mirror in an allowed registry"},
			check:  imageSupplyChain,
			Schema: "depends on the tiers of the environments (any production one) and, for defaulted images, on other fields; compares an image's registry with the list in spec.security.allowedRegistries",
		},
		{
			At:     []string{svc + ".canary"},
			Doc:    "A canary needs `expose`: it is a weighted route at the edge.",
			Msgs:   []string{"needs expose: a canary is a weighted route"},
			check:  canaryExposed,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".canary"},
			Doc:    "A service has `delivery` (an Argo Rollouts Rollout) or the static `canary` (a second Deployment and a weighted route), not both.",
			Msgs:   []string{"a service has delivery or canary, not both: delivery rolls every new version out progressively by itself; remove canary (or remove delivery to keep the static canary)"},
			check:  deliveryOrCanary,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".delivery"},
			Doc:    "`delivery` is for servers: a worker has no Service whose traffic follows the new version's pods, and no request SLO to gate on.",
			Msgs:   []string{"delivery is for servers: a worker has no Service to move traffic on and no request SLO to gate on; remove it"},
			check:  deliveryOnServers,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".delivery.steps"},
			Doc:    "`steps` are for `strategy: canary`; blue/green moves all traffic at once.",
			Msgs:   []string{"steps are for strategy canary; blueGreen switches all traffic to the new version at once when it is promoted: remove steps"},
			check:  stepsOnCanary,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".delivery.analysis"},
			Doc:    "`analysis: true` needs `spec.observability.metrics`: the analysis reads the SLO recording rules it renders.",
			Msgs:   []string{"the analysis reads the SLO recording rules that spec.observability.metrics renders: set metrics: true, or analysis: false"},
			check:  analysisNeedsMetrics,
			Schema: "depends on spec.observability.metrics, a field elsewhere in the spec; kept with the loader so the schema stays generated from the field tags",
		},
		{
			At:     []string{svc + ".expose"},
			Doc:    "A worker cannot be exposed: it has no Service.",
			Msgs:   []string{"a worker has no Service and cannot be exposed"},
			check:  workerNotExposed,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".autoscale.requestsPerSecond"},
			Doc:    "A worker does not autoscale on `requestsPerSecond` (it serves no requests); use `queueDepth`.",
			Msgs:   []string{"a worker serves no requests; scale it on queueDepth"},
			check:  workerNoRequests,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".kind"},
			Doc:    "A `cronjob` has a `schedule`.",
			Msgs:   []string{"a cronjob needs a schedule (e.g. schedule: \"0 3 * * *\"): without one it never runs"},
			check:  cronJobNeedsSchedule,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".schedule", svc + ".timeZone", svc + ".concurrency", svc + ".deadline", svc + ".backoffLimit"},
			Doc:    "`schedule`, `timeZone`, `concurrency`, `deadline` and `backoffLimit` are set on a `cronjob` only.",
			Msgs:   []string{"%s is for kind: cronjob; a %s runs continuously: remove it, or set kind: cronjob"},
			check:  scheduleOnlyOnCronJobs,
			Schema: whySibling,
		},
		{
			At: []string{svc + ".protocol", svc + ".port", svc + ".metricsPort", svc + ".expose", svc + ".health", svc + ".replicas",
				svc + ".autoscale", svc + ".canary", svc + ".delivery", svc + ".consumes", svc + ".migrate", ovr + ".replicas"},
			Doc:    "A `cronjob` runs one pod to completion per run: it has no `protocol`, `port`, `metricsPort`, `expose`, `health`, `replicas` (nor an override's), `autoscale`, `canary`, `delivery`, `consumes` or `migrate`.",
			Msgs:   []string{"a cronjob runs to completion on its schedule and takes no %s: %s"},
			check:  noServingOnCronJobs,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".migrate"},
			Doc:    "A `migrate` has a `command` or `args`: the image's own entrypoint starts the service, which never completes.",
			Msgs:   []string{"migrate needs a command or args (e.g. command: [/app/migrate, up]): the image's entrypoint starts the service itself, which never completes"},
			check:  migrateHasCommand,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".expose"},
			Doc:    "No two services are exposed at the same `host` and `path` (an omitted path counts as `/`); the second one is reported.",
			Msgs:   []string{"host %q path %q is already routed to %q"},
			check:  oneServicePerRoute,
			Schema: whyUnique,
		},
		{
			At:     []string{svc + ".autoscale.min", ovr + ".replicas.min"},
			Doc:    "`min` is not greater than `max`.",
			Msgs:   []string{"min (%d) is greater than max (%d)"},
			check:  minNotAboveMax,
			Schema: "compares two values: JSON Schema has no relational keywords (the $data proposal is not part of 2020-12)",
		},
		{
			At:     []string{svc + ".autoscale.queueDepth"},
			Doc:    "`queueDepth` needs `consumes`: the depth is read from the consumed queue.",
			Msgs:   []string{"needs consumes: the queue depth comes from the consumed queue"},
			check:  queueDepthConsumes,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".replicas"},
			Doc:    "`replicas` and `autoscale` are not both set.",
			Msgs:   []string{"conflicts with autoscale: set one or the other"},
			check:  replicasOrAutoscale,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".uses[*]", svc + ".consumes.queue"},
			Doc:    "Names a data store of `spec.data` (a close misspelling, or the start of exactly one store's name, gets a suggestion; otherwise up to 8 defined names are listed).",
			Msgs:   []string{"no data store named %q%s"},
			check:  dataStoreExists,
			Schema: whyReference,
		},
		{
			At:     []string{svc + ".uses"},
			Doc:    "No data store is listed twice.",
			Msgs:   []string{"%q is listed twice"},
			check:  usesOnce,
			Schema: whyUnique,
		},
		{
			At:     []string{svc + ".consumes.queue"},
			Doc:    "The consumed store is a message broker: " + joinOr(brokers) + ".",
			Msgs:   []string{"%q is a %s store, not a message broker"},
			check:  consumesBroker,
			Schema: "a reference: the type of the data store another field names",
		},
		{
			At:     []string{svc + ".nodePool"},
			Doc:    "Names a pool of `spec.nodePools`.",
			Msgs:   []string{"no node pool named %q in spec.nodePools%s"},
			check:  nodePoolExists,
			Schema: whyReference,
		},
		{
			At:     []string{svc + ".secrets[<VAR>]"},
			Doc:    "A variable is set in `env` or in `secrets`, not in both.",
			Msgs:   []string{"%s is also set in env"},
			check:  envOrSecret,
			Schema: whyUnique,
		},
		cfg[0], cfg[1], cfg[2], cfg[3],
		{
			At:     []string{data + ".name"},
			Doc:    "Data store names are unique.",
			Msgs:   []string{"duplicate data store name %q"},
			check:  uniqueDataStores,
			Schema: whyUnique,
		},
		{
			At:     []string{data + ".endpoint"},
			Doc:    "A `managed` store has an `endpoint`.",
			Msgs:   []string{"is required when mode is managed"},
			check:  managedEndpoint,
			Schema: whySibling,
		},
		{
			At:     []string{data + ".endpoint"},
			Doc:    "A `managed` store's endpoint names a host, not an IP address, that is a valid DNS name: it becomes an ExternalName Service, a DNS alias.",
			Msgs:   []string{"%q is an IP address; a managed store is reached through an ExternalName Service, a DNS alias: give its host name", "host %q %s"},
			check:  managedEndpointHost,
			Schema: "depends on a sibling's value (mode: managed)",
		},
		{
			At:     []string{data + ".endpoint"},
			Doc:    "Only a `managed` store has an `endpoint` (an omitted mode is in-cluster).",
			Msgs:   []string{"is only valid when mode is managed"},
			check:  endpointOnlyManaged,
			Schema: whySibling,
		},
		{
			At:     []string{data + ".backup"},
			Doc:    "A `managed` store has no `backup`: its provider backs it up.",
			Msgs:   []string{"is only valid for in-cluster stores; managed stores are backed up by their provider"},
			check:  managedNoBackup,
			Schema: whySibling,
		},
		{
			At:     []string{data + ".image", data + ".storage", data + ".storageClass", data + ".vpa", data + ".exporterImage", data + ".proxyImage"},
			Doc:    "A `managed` store has no `image`, `storage`, `storageClass`, `vpa`, `exporterImage` or `proxyImage`.",
			Msgs:   []string{"is only valid for in-cluster stores"},
			check:  managedNoVolume,
			Schema: whySibling,
		},
		{
			At:     []string{data + ".exporterImage"},
			Doc:    "A rabbitmq or ferretdb store has no `exporterImage`: the engine serves its metrics itself.",
			Msgs:   []string{"is not used: %s"},
			check:  rabbitMQNoExporter,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".gpus"},
			Doc:    "A service with `gpus` runs on a `gpu` node pool.",
			Msgs:   []string{"needs nodePool to name a pool with gpu: true (GPU nodes carry the device plugin and a taint)"},
			check:  gpusOnGPUPool,
			Schema: whySibling,
		},
		{
			At:     []string{svc + ".metricsPort"},
			Doc:    "A gRPC server's `metricsPort` differs from its `port`.",
			Msgs:   []string{"must differ from port for a gRPC server: Prometheus scrapes over HTTP/1.1, which a gRPC port does not serve (omit it for %d)"},
			check:  grpcMetricsPort,
			Schema: whySibling,
		},
		{
			At:     []string{data + ".backup"},
			Doc:    "Only postgres, mysql and redis stores have a `backup`: brokers hold transient messages and stay available by replication.",
			Msgs:   []string{"is supported for postgres, mysql and redis; a %s broker holds transient messages, so keep it available by replication instead"},
			check:  backupSupported,
			Schema: whySibling,
		},
		{
			At:     []string{ovr, team + ".services[*]", svc + ".calls[*].service"},
			Doc:    "Names a service of `spec.services`.",
			Msgs:   []string{"no service named %q%s"},
			check:  serviceExists,
			Schema: whyReference,
		},
		{
			At:  []string{svc + ".calls[*].service", svc + ".calls[*].port"},
			Doc: "A call names another service, a server (a worker or cronjob has no Service and no port), once per port; its `port` is the callee's service port or one of its extra `ports` (its own or its sidecars'), by name or number (a misspelt name gets a suggestion); no two calls set the same address variable (`<CALLEE>_ADDR`, `<CALLEE>_<PORT>_ADDR`).",
			Msgs: []string{
				"a service does not call itself: a pod reaches its own port on localhost, which no NetworkPolicy restricts; remove the call",
				"%q is a worker: it has no Service and listens on no port; call a server, or hand the worker work through a queue (consumes)",
				"%q is a cronjob: it runs on its schedule, has no Service and listens on no port; call a server",
				"%q is called twice on port %d; list each call once (it sets one %s)",
				"%q is not a port of %q, whose ports are %s: name one, give its number, or leave port out for the service port%s",
				"this call sets %s, which calls[%d] (%s) sets too: their names meet once '-' becomes '_'; rename a port or a service",
			},
			check:  callsValid,
			Schema: whyReference,
		},
		{
			At:  []string{svc + ".egress[*]", svc + ".egress[*].ports[*]"},
			Doc: "An egress entry names one destination, `cidr`, `to` or `host`, and each destination once per service, with each port once.",
			Msgs: []string{
				"write one of cidr, to and host: each entry is one destination (to: internet already covers every public address)",
				"an egress entry needs a destination: cidr (a network), to: internet or host (a DNS name)",
				"%s is already listed at egress[%d]; list a destination once, with all its ports",
				"port %d is listed twice",
			},
			check:  egressValid,
			Schema: whySibling,
		},
		{
			At:  []string{svc + ".egress[*].cidr", svc + ".egress[*].host", data + ".cidrs[*]"},
			Doc: "No `cidr` contains a cloud metadata address (169.254.0.0/16, fd00:ec2::254) and no `host` names a metadata server (metadata.google.internal, which resolves to 169.254.169.254), so no pod reaches the endpoint that hands out the node's cloud credentials.",
			Msgs: []string{
				"%s contains the cloud metadata addresses %s, which hand out the node's cloud credentials; write to: internet (which excepts them) or a network that leaves them out",
				"host %s opens the cloud metadata server %s, which hands out the node's cloud credentials; name the hosts the service needs",
				"%s contains the cloud metadata addresses %s, which hand out the node's cloud credentials; write the store's own subnets",
			},
			check:  egressMetadata,
			Schema: whyNetwork,
		},
		{
			At:  []string{svc + ".egress[*].host"},
			Doc: "A `host` needs `network.cni: cilium`: a Kubernetes NetworkPolicy matches addresses, never DNS names, and open-source Calico's policies match no domains either (domain rules are Calico Enterprise and Calico Cloud only); Cilium's toFQDNs does.",
			Msgs: []string{
				"%s is a host name, and a NetworkPolicy matches addresses, not DNS names: on Cilium clusters set spec.network.cni: cilium (a CiliumNetworkPolicy with toFQDNs opens the name); otherwise write the CIDRs the host's provider publishes",
				"%s is a host name, and open-source Calico matches no host names in policy (domain rules are Calico Enterprise and Calico Cloud only): write the CIDRs the host's provider publishes, or run Cilium and set spec.network.cni: cilium",
			},
			check:  egressHostCNI,
			Schema: "depends on another field (spec.network.cni)",
		},
		{
			At:  []string{data + ".cidrs"},
			Doc: "A `managed` store lists `cidrs`, the networks its addresses lie in, unless `network.cni` is `cilium` (then its endpoint host is opened by name); only a managed store has `cidrs`, each once. Without them its consumers' egress could only be opened to every address on the store's port.",
			Msgs: []string{
				"is only valid when mode is managed: an in-cluster store is reached by its pods' labels",
				"a managed store needs cidrs, the networks its addresses lie in (e.g. its VPC's database subnets): a NetworkPolicy matches addresses, not the endpoint's host name, and without them its consumers would reach any address on port %d; with spec.network.cni: cilium the endpoint host is opened by name instead",
				"%s is listed twice",
			},
			check:  managedCIDRs,
			Schema: "depends on siblings and on another field (mode, spec.network.cni)",
		},
		{
			At:     []string{ovr + ".replicas.min"},
			Doc:    "In a production environment an override's `replicas.min` is at least 2.",
			Msgs:   []string{"production runs at least 2 replicas of every service"},
			check:  productionOverrideReplicas,
			Schema: whyTier,
		},
		{
			At:     []string{team + ".name"},
			Doc:    "Team names are unique.",
			Msgs:   []string{"duplicate team name %q"},
			check:  uniqueTeams,
			Schema: whyUnique,
		},
		{
			At:     []string{"spec.services"},
			Doc:    "With `edge.api: gateway` (the default) at most 63 distinct `expose.host` values: the Gateway gets one HTTPS listener per host, and the Gateway API allows 64 listeners including the HTTP one. Share hosts between services (different paths) or use ingress-nginx.",
			Msgs:   []string{"%d distinct exposed hosts; a Gateway holds at most 63 HTTPS listeners: share hosts between services (different paths) or use edge.api: ingress-nginx"},
			check:  gatewayListeners,
			Schema: "counts distinct values across entries: uniqueItems compares whole items, and nothing counts distinct properties",
		},
		{
			At:     []string{svc + ".expose.host"},
			Doc:    "Every host name the edge serves, `<host>.<environment domain>` in every environment (the environment's domain being `<name>.<domain>` unless set), is a valid DNS name: at most 253 characters, labels of at most 63.",
			Msgs:   []string{"in environment %q the host name %q %s: shorten the host, the environment name or the domain, or set the environment's domain"},
			check:  hostNames,
			Schema: whyBuiltName,
		},
		{
			At:     []string{svc + ".expose.path"},
			Doc:    "Behind the Gateway API, a gRPC server's `expose.path` is `/` or `/` and a fully qualified gRPC service (`/pkg.v1.Service`): it becomes the service of a GRPCRoute method match.",
			Msgs:   []string{"%q is not a gRPC service: behind the Gateway API a gRPC path is / or /<fully qualified service> (/pkg.v1.Service, letters, digits and _ in dot-separated parts)"},
			check:  grpcExposePath,
			Schema: "depends on a sibling's value (the protocol and edge.api)",
		},
		{
			At:     []string{"metadata.name"},
			Doc:    "The platform name neither is `system` nor starts with `system-`: it prefixes the PriorityClasses, and the API server reserves PriorityClass names starting with `system-`.",
			Msgs:   []string{"%q makes the PriorityClass %q, and the API server reserves PriorityClass names starting with %q: choose another platform name"},
			check:  reservedPriorityName,
			Schema: whyBuiltName,
		},
		{
			At:     []string{env + ".name"},
			Doc:    "With namespace isolation, `<platform>-<environment>-<suffix>` (the names of the environment's PriorityClasses and admission policies, and their `app.kubernetes.io/name` label) is at most 63 characters.",
			Msgs:   []string{"with namespace isolation the cluster-scoped objects of this environment are named <platform>-<environment>-<suffix>; %q is %d characters, over the %d a label value allows: shorten metadata.name or the environment name by %d"},
			check:  clusterNamesFit,
			Schema: whyBuiltName,
		},
		{
			At:     []string{data + ".name"},
			Doc:    "An in-cluster store with `backup` has a name of at most 39 characters: its restore-test CronJob `<name>-restore-test` must keep within the API server's 52.",
			Msgs:   []string{"with backup, the CronJob %q is %d characters, over the %d the API server allows for a CronJob name: shorten the name to at most %d characters"},
			check:  cronJobNamesFit,
			Schema: whyBuiltName,
		},
		{
			At:     []string{"spec.cicd.repoURL"},
			Doc:    "With `gitops: flux`, `repoURL` is an `https://` or `ssh://` URL: Flux's GitRepository does not read the scp-like `git@host:path`.",
			Msgs:   []string{"Flux reads only https:// and ssh:// URLs, not the scp-like %q: write it as %q"},
			check:  fluxRepoURL,
			Schema: "depends on a sibling's value (cicd.gitops)",
		},
		{
			At:     []string{"spec.cicd.repoURL"},
			Doc:    "`repoURL` is set when `gitops` is `argocd` or `flux`.",
			Msgs:   []string{"is required when gitops is %s"},
			check:  repoURLWithGitOps,
			Schema: whySibling,
		},
		{
			At:     []string{"spec.security.imageVerification", "spec.security.imageVerification.issuer", "spec.security.imageVerification.subject", "spec.security.imageVerification.publicKey"},
			Doc:    "`imageVerification` names a signer: `issuer` and `subject` together, a PEM `publicKey`, or both.",
			Msgs:   []string{"needs issuer and subject (keyless signing) or publicKey", "is required with subject", "is required with issuer", "is not a PEM public key (-----BEGIN PUBLIC KEY----- ...)"},
			check:  imageVerificationSigner,
			Schema: whySibling + "; a PEM key is a value only a parser can judge",
		},
		{
			At:     []string{"spec.nodePools[<name>]"},
			Doc:    "A pool is not both `spot` and `gpu`.",
			Msgs:   []string{"a pool cannot be both spot and gpu"},
			check:  poolSpotOrGPU,
			Schema: whySibling,
		},
	}, append(append(append(append(append(identityRules(), passThroughRules()...), edgeRules()...), meshRules()...), previewRules()...), dataLayerRules()...)...)
})

// oneOf returns the allowed values of a field from its validate tag.
func oneOf(t reflect.Type, field string) []string {
	f, _ := t.FieldByName(field)
	for _, rule := range strings.Split(f.Tag.Get("validate"), ",") {
		if vals, ok := strings.CutPrefix(rule, "oneof="); ok {
			return strings.Fields(vals)
		}
	}
	return nil
}

func joinOr(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}

// The checks of Rules, in its order. Each reports through report with the
// index of one of its rule's messages.

func uniqueEnvironments(c *checkContext, report reportFunc) {
	seen := map[string]bool{}
	for i, e := range c.s.Environments {
		if seen[e.Name] && e.Name != "" {
			report(fmt.Sprintf("spec.environments[%d].name", i), 0, e.Name)
		}
		seen[e.Name] = true
	}
}

func peersOnce(c *checkContext, report reportFunc) {
	names := make([]string, len(c.s.Lint.PeerAnnotations))
	for i, p := range c.s.Lint.PeerAnnotations {
		names[i] = string(p)
	}
	if dupe := firstDuplicate(names); dupe != "" {
		report("spec.lint.peerAnnotations", 0, dupe)
	}
}

func zonesOnce(c *checkContext, report reportFunc) {
	for i, e := range c.s.Environments {
		if dupe := firstDuplicate(e.Zones); dupe != "" {
			report(fmt.Sprintf("spec.environments[%d].zones", i), 0, dupe)
		}
	}
}

func productionZones(c *checkContext, report reportFunc) {
	for i, e := range c.s.Environments {
		if e.Tier == TierProduction && len(e.Zones) < 2 && e.SingleZoneReason == "" {
			report(fmt.Sprintf("spec.environments[%d].zones", i), 0)
		}
	}
}

func uniqueServices(c *checkContext, report reportFunc) {
	seen := map[string]bool{}
	for i, svc := range c.s.Services {
		// A missing name is reported as required; "duplicate name """ would
		// only add confusion.
		if seen[svc.Name] && svc.Name != "" {
			report(fmt.Sprintf("spec.services[%d].name", i), 0, svc.Name)
		}
		seen[svc.Name] = true
	}
}

func servicesAndDataApart(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if _, clash := c.data[svc.Name]; clash && svc.Name != "" {
			report(fmt.Sprintf("spec.services[%d].name", i), 0, svc.Name)
		}
	}
}

// imagesPinned requires an explicit, immutable-looking reference: a tag
// other than latest, or a digest.
func imagesPinned(c *checkContext, report reportFunc) {
	check := func(path, ref string) {
		if !imageRefRE().MatchString(ref) {
			return // the field rule already reported it
		}
		r := imageref.Parse(ref)
		switch {
		case r.Pinned():
		case r.Tag == "":
			report(path, 0, ref, ref)
		case r.Tag == "latest":
			report(path, 1, ref)
		}
	}
	for i, ds := range c.s.Data {
		if ds.Image != "" {
			check(fmt.Sprintf("spec.data[%d].image", i), ds.Image)
		}
		if ds.ProxyImage != "" {
			check(fmt.Sprintf("spec.data[%d].proxyImage", i), ds.ProxyImage)
		}
		if ds.ExporterImage != "" {
			check(fmt.Sprintf("spec.data[%d].exporterImage", i), ds.ExporterImage)
		}
	}
	for i, svc := range c.s.Services {
		check(fmt.Sprintf("spec.services[%d].image", i), svc.Image)
		if svc.Canary != nil {
			check(fmt.Sprintf("spec.services[%d].canary.image", i), svc.Canary.Image)
		}
		containersOf(i, &c.s.Services[i], func(p string, ct *Container) { check(p+".image", ct.Image) })
	}
	c.overrides(func(op string, _ *Environment, o ServiceOverride) {
		if o.Image != "" {
			check(op+".image", o.Image)
		}
	})
}

func imageSupplyChain(c *checkContext, report reportFunc) { checkImageSupplyChain(c.p, report) }

func canaryExposed(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.Canary != nil && svc.Expose == nil {
			report(fmt.Sprintf("spec.services[%d].canary", i), 0)
		}
	}
}

func deliveryOrCanary(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.Delivery != nil && svc.Canary != nil {
			report(fmt.Sprintf("spec.services[%d].canary", i), 0)
		}
	}
}

// deliveryOnServers: a cronjob's delivery is reported with its other
// serving fields (noServingOnCronJobs).
func deliveryOnServers(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.Delivery != nil && svc.Kind == KindWorker {
			report(fmt.Sprintf("spec.services[%d].delivery", i), 0)
		}
	}
}

func stepsOnCanary(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if d := svc.Delivery; d != nil && d.Strategy == DeliveryBlueGreen && len(d.Steps) > 0 {
			report(fmt.Sprintf("spec.services[%d].delivery.steps", i), 0)
		}
	}
}

func analysisNeedsMetrics(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if d := svc.Delivery; d != nil && d.Analysis != nil && *d.Analysis && !c.s.Observability.Metrics {
			report(fmt.Sprintf("spec.services[%d].delivery.analysis", i), 0)
		}
	}
}

func workerNotExposed(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.Kind == KindWorker && svc.Expose != nil {
			report(fmt.Sprintf("spec.services[%d].expose", i), 0)
		}
	}
}

func workerNoRequests(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.Kind == KindWorker && svc.Autoscale != nil && svc.Autoscale.RequestsPerSecond > 0 {
			report(fmt.Sprintf("spec.services[%d].autoscale.requestsPerSecond", i), 0)
		}
	}
}

func oneServicePerRoute(c *checkContext, report reportFunc) {
	hosts := map[string]string{}
	for i, svc := range c.s.Services {
		if svc.Expose == nil {
			continue
		}
		// Compare effective routes: an omitted path defaults to "/".
		p := svc.Expose.Path
		if p == "" {
			p = "/"
		}
		key := svc.Expose.Host + p
		if other, dup := hosts[key]; dup {
			report(fmt.Sprintf("spec.services[%d].expose", i), 0, svc.Expose.Host, p, other)
		} else {
			hosts[key] = svc.Name // keep the first owner: later duplicates name it
		}
	}
}

func minNotAboveMax(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if a := svc.Autoscale; a != nil && a.Min > a.Max {
			report(fmt.Sprintf("spec.services[%d].autoscale.min", i), 0, a.Min, a.Max)
		}
	}
	c.overrides(func(op string, _ *Environment, o ServiceOverride) {
		if r := o.Replicas; r != nil && r.Min > r.Max {
			report(op+".replicas.min", 0, r.Min, r.Max)
		}
	})
}

func queueDepthConsumes(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if a := svc.Autoscale; a != nil && a.QueueDepth > 0 && svc.Consumes == nil {
			report(fmt.Sprintf("spec.services[%d].autoscale.queueDepth", i), 0)
		}
	}
}

func replicasOrAutoscale(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.Replicas != nil && svc.Autoscale != nil {
			report(fmt.Sprintf("spec.services[%d].replicas", i), 0)
		}
	}
}

func dataStoreExists(c *checkContext, report reportFunc) {
	names := SortedKeys(c.data)
	for i, svc := range c.s.Services {
		for j, u := range svc.Uses {
			if _, ok := c.data[u]; !ok {
				report(fmt.Sprintf("spec.services[%d].uses[%d]", i, j), 0, u, didYouMean(u, names))
			}
		}
		if q := svc.Consumes; q != nil {
			if _, ok := c.data[q.Queue]; !ok {
				report(fmt.Sprintf("spec.services[%d].consumes.queue", i), 0, q.Queue, didYouMean(q.Queue, names))
			}
		}
	}
}

func usesOnce(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if dupe := firstDuplicate(svc.Uses); dupe != "" {
			report(fmt.Sprintf("spec.services[%d].uses", i), 0, dupe)
		}
	}
}

func consumesBroker(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if q := svc.Consumes; q != nil {
			// A missing type is reported on the store.
			if ds, ok := c.data[q.Queue]; ok && ds.Type != "" && !IsBroker(ds.Type) {
				report(fmt.Sprintf("spec.services[%d].consumes.queue", i), 0, q.Queue, ds.Type)
			}
		}
	}
}

func nodePoolExists(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.NodePool == "" {
			continue
		}
		if _, ok := c.s.NodePools[svc.NodePool]; !ok {
			report(fmt.Sprintf("spec.services[%d].nodePool", i), 0, svc.NodePool, didYouMean(svc.NodePool, SortedKeys(c.s.NodePools)))
		}
	}
}

func envOrSecret(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		for _, k := range SortedKeys(svc.Secrets) {
			if _, clash := svc.Env[k]; clash {
				report(fmt.Sprintf("spec.services[%d].secrets[%s]", i, k), 0, k)
			}
		}
	}
}

func uniqueDataStores(c *checkContext, report reportFunc) {
	seen := map[string]bool{}
	for i, ds := range c.s.Data {
		if seen[ds.Name] && ds.Name != "" {
			report(fmt.Sprintf("spec.data[%d].name", i), 0, ds.Name)
		}
		seen[ds.Name] = true
	}
}

func managedEndpoint(c *checkContext, report reportFunc) {
	for i, ds := range c.s.Data {
		if ds.Mode == ModeManaged && ds.Endpoint == "" {
			report(fmt.Sprintf("spec.data[%d].endpoint", i), 0)
		}
	}
}

func managedEndpointHost(c *checkContext, report reportFunc) {
	for i, ds := range c.s.Data {
		if ds.Mode != ModeManaged || !validHostPort(ds.Endpoint) {
			continue
		}
		// The store's in-cluster name is an ExternalName Service: a DNS
		// CNAME, which the API server wants to be a DNS subdomain (an IPv6
		// address is refused) and DNS cannot point at an address.
		host, _, _ := net.SplitHostPort(ds.Endpoint)
		path := fmt.Sprintf("spec.data[%d].endpoint", i)
		if net.ParseIP(host) != nil {
			report(path, 0, host)
		} else if problem := HostnameProblem(host, 1); problem != "" {
			report(path, 1, shortText(host), problem)
		}
	}
}

func endpointOnlyManaged(c *checkContext, report reportFunc) {
	for i, ds := range c.s.Data {
		if ds.Mode != ModeManaged && ds.Endpoint != "" {
			report(fmt.Sprintf("spec.data[%d].endpoint", i), 0)
		}
	}
}

func managedNoBackup(c *checkContext, report reportFunc) {
	for i, ds := range c.s.Data {
		if ds.Mode == ModeManaged && ds.Backup != nil {
			report(fmt.Sprintf("spec.data[%d].backup", i), 0)
		}
	}
}

func managedNoVolume(c *checkContext, report reportFunc) {
	for i, ds := range c.s.Data {
		if ds.Mode != ModeManaged {
			continue
		}
		path := fmt.Sprintf("spec.data[%d]", i)
		for _, f := range []struct{ key, value string }{
			{"image", ds.Image}, {"storage", ds.Storage}, {"storageClass", ds.StorageClass}, {"vpa", string(ds.VPA)}, {"exporterImage", ds.ExporterImage}, {"proxyImage", ds.ProxyImage},
		} {
			if f.value != "" {
				report(path+"."+f.key, 0)
			}
		}
	}
}

func rabbitMQNoExporter(c *checkContext, report reportFunc) {
	for i, ds := range c.s.Data {
		if why, own := OwnMetrics[ds.Type]; own && ds.ExporterImage != "" {
			report(fmt.Sprintf("spec.data[%d].exporterImage", i), 0, why)
		}
	}
}

func gpusOnGPUPool(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.GPUs > 0 && !c.s.NodePools[svc.NodePool].GPU {
			report(fmt.Sprintf("spec.services[%d].gpus", i), 0)
		}
	}
}

func grpcMetricsPort(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.Protocol == ProtocolGRPC && svc.Kind != KindWorker && svc.MetricsPort != 0 && svc.MetricsPort == svc.Port {
			report(fmt.Sprintf("spec.services[%d].metricsPort", i), 0, DefaultGRPCMetricsPort)
		}
	}
}

func backupSupported(c *checkContext, report reportFunc) {
	for i, ds := range c.s.Data {
		if ds.Mode != ModeManaged && ds.Backup != nil && !BackupSupported(ds.Type) {
			report(fmt.Sprintf("spec.data[%d].backup", i), 0, ds.Type)
		}
	}
}

func serviceExists(c *checkContext, report reportFunc) {
	names := SortedKeys(c.services)
	for i, e := range c.s.Environments {
		for _, name := range SortedKeys(e.Overrides.Services) {
			if !c.services[name] {
				report(fmt.Sprintf("spec.environments[%d].overrides.services[%s]", i, name), 0, name, didYouMean(name, names))
			}
		}
	}
	for i, caller := range c.s.Services {
		for j, call := range caller.Calls {
			if call.Service != "" && !c.services[call.Service] {
				report(fmt.Sprintf("spec.services[%d].calls[%d].service", i, j), 0, call.Service, didYouMean(call.Service, names))
			}
		}
	}
	for i, t := range c.s.Teams {
		for j, svc := range t.Services {
			if !c.services[svc] {
				report(fmt.Sprintf("spec.teams[%d].services[%d]", i, j), 0, svc, didYouMean(svc, names))
			}
		}
	}
}

// callsValid checks what a call names beyond its existence (serviceExists).
func callsValid(c *checkContext, report reportFunc) {
	for i := range c.s.Services {
		caller := &c.s.Services[i]
		type target struct {
			callee string
			port   int32
		}
		seen := map[target]bool{}
		vars := map[string]int{} // address variable → the call that sets it
		for j, call := range caller.Calls {
			path := fmt.Sprintf("spec.services[%d].calls[%d]", i, j)
			callee := c.p.Service(call.Service)
			switch {
			case call.Service == "" || callee == nil:
				continue // required, or reported by serviceExists
			case call.Service == caller.Name:
				report(path+".service", 0)
				continue
			case callee.Kind == KindWorker:
				report(path+".service", 1, call.Service)
				continue
			case callee.Kind == KindCronJob:
				report(path+".service", 2, call.Service)
				continue
			}
			port, extra, ok := CallTarget(callee, call.Port)
			if !ok {
				if portRefRE().MatchString(string(call.Port)) {
					report(path+".port", 4, string(call.Port), call.Service, calleePorts(callee), portSuggestion(string(call.Port), callee))
				}
				continue
			}
			name := CallEnvName(call.Service, extra)
			switch t := (target{call.Service, port}); {
			case seen[t]:
				report(path+".service", 3, call.Service, port, name)
			case vars[name] > 0:
				report(path+".service", 5, name, vars[name]-1, caller.Calls[vars[name]-1].Service)
			default:
				seen[t], vars[name] = true, j+1
			}
		}
	}
}

// calleePorts lists the ports a call may name: "grpc (7070), admin (9091)".
func calleePorts(callee *Service) string {
	name, number := callee.ServicePort()
	list := []string{fmt.Sprintf("%s (%d)", name, number)}
	for _, p := range callee.ExtraPorts() {
		list = append(list, fmt.Sprintf("%s (%d)", p.Name, p.Port))
	}
	return strings.Join(list, ", ")
}

// portSuggestion is "; did you mean …?" for a close misspelling of one of
// callee's port names, else "" (the message lists the ports already).
func portSuggestion(ref string, callee *Service) string {
	name, _ := callee.ServicePort()
	names := []string{name}
	for _, p := range callee.ExtraPorts() {
		names = append(names, p.Name)
	}
	if s := suggest(ref, names); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

func productionOverrideReplicas(c *checkContext, report reportFunc) {
	c.overrides(func(op string, e *Environment, o ServiceOverride) {
		if o.Replicas != nil && e.Tier == TierProduction && o.Replicas.Min < 2 {
			report(op+".replicas.min", 0)
		}
	})
}

func uniqueTeams(c *checkContext, report reportFunc) {
	seen := map[string]bool{}
	for i, t := range c.s.Teams {
		if seen[t.Name] && t.Name != "" {
			report(fmt.Sprintf("spec.teams[%d].name", i), 0, t.Name)
		}
		seen[t.Name] = true
	}
}

// gatewayListeners: one HTTPS listener per host plus the HTTP redirect
// listener; the Gateway API caps a Gateway at 64 listeners.
func gatewayListeners(c *checkContext, report reportFunc) {
	if c.s.Edge.API == EdgeIngressNginx {
		return
	}
	distinct := map[string]bool{}
	for _, svc := range c.s.Services {
		if svc.Expose != nil {
			distinct[svc.Expose.Host] = true
		}
	}
	if len(distinct) > 63 {
		report("spec.services", 0, len(distinct))
	}
}

func hostNames(c *checkContext, report reportFunc) { checkHostNames(c.p, report) }

func grpcExposePath(c *checkContext, report reportFunc) {
	if c.s.Edge.API == EdgeIngressNginx {
		return
	}
	for i, svc := range c.s.Services {
		if e := svc.Expose; e != nil && svc.Protocol == ProtocolGRPC && e.Path != "" && e.Path != "/" &&
			validURLPath(e.Path) && !grpcSvcRE().MatchString(e.Path[1:]) {
			report(fmt.Sprintf("spec.services[%d].expose.path", i), 0, e.Path)
		}
	}
}

func reservedPriorityName(c *checkContext, report reportFunc) { checkReservedPriorityName(c.p, report) }

func clusterNamesFit(c *checkContext, report reportFunc) { checkClusterNames(c.p, report) }

func cronJobNamesFit(c *checkContext, report reportFunc) { checkCronJobNames(c.p, report) }

func fluxRepoURL(c *checkContext, report reportFunc) {
	u := c.s.CICD.RepoURL
	if c.s.CICD.GitOps != GitOpsFlux || u == "" || strings.Contains(u, "://") || GitRepoURLProblem(u) != "" {
		return
	}
	// Flux's GitRepository CRD wants a scheme (^(http|https|ssh)://).
	userHost, repo, _ := strings.Cut(u, ":")
	report("spec.cicd.repoURL", 0, u, "ssh://"+userHost+"/"+strings.TrimPrefix(repo, "/"))
}

func repoURLWithGitOps(c *checkContext, report reportFunc) {
	if g := c.s.CICD.GitOps; (g == "argocd" || g == "flux") && c.s.CICD.RepoURL == "" {
		report("spec.cicd.repoURL", 0, g)
	}
}

// imageVerificationSigner wants at least one complete signer.
func imageVerificationSigner(c *checkContext, report reportFunc) {
	v := c.s.Security.ImageVerification
	if v == nil {
		return
	}
	const path = "spec.security.imageVerification"
	keyless := v.Issuer != "" || v.Subject != ""
	if !keyless && v.PublicKey == "" {
		report(path, 0)
		return
	}
	if keyless && v.Issuer == "" {
		report(path+".issuer", 1)
	}
	if keyless && v.Subject == "" {
		report(path+".subject", 2)
	}
	if v.PublicKey != "" && !strings.Contains(v.PublicKey, "-----BEGIN PUBLIC KEY-----") {
		report(path+".publicKey", 3)
	}
}

func poolSpotOrGPU(c *checkContext, report reportFunc) {
	for _, name := range SortedKeys(c.s.NodePools) {
		if np := c.s.NodePools[name]; np.Spot && np.GPU {
			report(fmt.Sprintf("spec.nodePools[%s]", name), 0)
		}
	}
}
