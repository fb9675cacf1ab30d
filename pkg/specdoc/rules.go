package specdoc

import (
	"fmt"
	"go/ast"
	"go/token"
	"sort"
	"strconv"
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// crossRule is one check of semantics.go in plain words. Msgs are the exact
// format strings semantics.go passes to add: Generate fails when the two
// sets differ, so a new check cannot ship undocumented.
type crossRule struct {
	At   []string
	Rule string
	Msgs []string
}

func crossRules(m *model) []crossRule {
	var brokers []string
	for _, t := range m.allowed("DataStore.Type") {
		if spec.IsBroker(spec.DataStoreType(t)) {
			brokers = append(brokers, "`"+t+"`")
		}
	}
	const (
		env  = "spec.environments[*]"
		svc  = "spec.services[*]"
		data = "spec.data[*]"
		ovr  = "spec.environments[*].overrides.services[<name>]"
		team = "spec.teams[*]"
	)
	return []crossRule{
		{[]string{env + ".name"}, "Environment names are unique.", []string{"duplicate environment name %q"}},
		{[]string{env + ".zones"}, "A zone is listed once.", []string{"zone %q is listed twice"}},
		{[]string{env + ".zones"}, "A production environment lists at least two zones, or says in `singleZoneReason` why it does not.",
			[]string{"production needs at least two zones to survive a zone outage; list them, or set singleZoneReason to say why not"}},
		{[]string{svc + ".name"}, "Service names are unique.", []string{"duplicate service name %q"}},
		{[]string{svc + ".name"}, "A service and a data store do not share a name.", []string{"%q is also a data store name; names must be unique across services and data"}},
		{[]string{svc + ".image", svc + ".canary.image", ovr + ".image", data + ".image", data + ".exporterImage"},
			"Images are pinned: by digest (`@sha256:…`, with or without a tag), or by a tag other than `latest`.",
			[]string{"%q has no tag; pin a version (e.g. %s:1.2.3) or a digest (@sha256:…)", "%q uses the mutable tag latest; pin a version or a digest"}},
		{[]string{svc + ".image", svc + ".canary.image", ovr + ".image", data + ".image", data + ".exporterImage", "spec.observability.tracing.collectorImage"},
			"Every image that runs in a production environment — written in the spec or a default platformctl picks — is pinned by digest; " +
				"with `security.allowedRegistries`, every image comes from a listed registry (Docker Hub short names count as docker.io).",
			[]string{"%s is not pinned by digest, which production environments require: a tag can be moved; pin it as %s@sha256:<digest> (crane digest %s prints it)",
				"%s comes from %s, which spec.security.allowedRegistries does not list (%s); use a mirror in an allowed registry"}},
		{[]string{svc + ".canary"}, "A canary needs `expose`: it is a weighted route at the edge.", []string{"needs expose: a canary is a weighted route"}},
		{[]string{svc + ".expose"}, "A worker cannot be exposed: it has no Service.", []string{"a worker has no Service and cannot be exposed"}},
		{[]string{svc + ".autoscale.requestsPerSecond"}, "A worker does not autoscale on `requestsPerSecond` (it serves no requests); use `queueDepth`.",
			[]string{"a worker serves no requests; scale it on queueDepth"}},
		{[]string{svc + ".expose"}, "No two services are exposed at the same `host` and `path` (an omitted path counts as `/`); the second one is reported.",
			[]string{"host %q path %q is already routed to %q"}},
		{[]string{svc + ".autoscale.min", ovr + ".replicas.min"}, "`min` is not greater than `max`.", []string{"min (%d) is greater than max (%d)"}},
		{[]string{svc + ".autoscale.queueDepth"}, "`queueDepth` needs `consumes`: the depth is read from the consumed queue.",
			[]string{"needs consumes: the queue depth comes from the consumed queue"}},
		{[]string{svc + ".replicas"}, "`replicas` and `autoscale` are not both set.", []string{"conflicts with autoscale: set one or the other"}},
		{[]string{svc + ".uses[*]", svc + ".consumes.queue"}, "Names a data store of `spec.data` (a close misspelling, or the start of exactly one store's name, gets a suggestion; otherwise up to 8 defined names are listed).",
			[]string{"no data store named %q%s"}},
		{[]string{svc + ".uses"}, "No data store is listed twice.", []string{"%q is listed twice"}},
		{[]string{svc + ".consumes.queue"}, "The consumed store is a message broker: " + joinOr(brokers) + ".",
			[]string{"%q is a %s store, not a message broker"}},
		{[]string{svc + ".nodePool"}, "Names a pool of `spec.nodePools`.", []string{"no node pool named %q in spec.nodePools%s"}},
		{[]string{svc + ".secrets[<VAR>]"}, "A variable is set in `env` or in `secrets`, not in both.", []string{"%s is also set in env"}},
		{[]string{data + ".name"}, "Data store names are unique.", []string{"duplicate data store name %q"}},
		{[]string{data + ".endpoint"}, "A `managed` store has an `endpoint`.", []string{"is required when mode is managed"}},
		{[]string{data + ".endpoint"}, "A `managed` store's endpoint names a host, not an IP address, that is a valid DNS name: it becomes an ExternalName Service, a DNS alias.",
			[]string{"%q is an IP address; a managed store is reached through an ExternalName Service, a DNS alias: give its host name", "host %q %s"}},
		{[]string{data + ".endpoint"}, "Only a `managed` store has an `endpoint` (an omitted mode is in-cluster).", []string{"is only valid when mode is managed"}},
		{[]string{data + ".backup"}, "A `managed` store has no `backup`: its provider backs it up.",
			[]string{"is only valid for in-cluster stores; managed stores are backed up by their provider"}},
		{[]string{data + ".storage", data + ".storageClass", data + ".vpa", data + ".exporterImage"}, "A `managed` store has no `storage`, `storageClass`, `vpa` or `exporterImage`.", []string{"is only valid for in-cluster stores"}},
		{[]string{data + ".exporterImage"}, "A rabbitmq store has no `exporterImage`: RabbitMQ serves its metrics itself.", []string{"is not used: RabbitMQ serves its metrics itself (rabbitmq_prometheus)"}},
		{[]string{svc + ".gpus"}, "A service with `gpus` runs on a `gpu` node pool.",
			[]string{"needs nodePool to name a pool with gpu: true (GPU nodes carry the device plugin and a taint)"}},
		{[]string{svc + ".metricsPort"}, "A gRPC server's `metricsPort` differs from its `port`.",
			[]string{"must differ from port for a gRPC server: Prometheus scrapes over HTTP/1.1, which a gRPC port does not serve (omit it for %d)"}},
		{[]string{data + ".backup"}, "Only postgres, mysql and redis stores have a `backup`: brokers hold transient messages and stay available by replication.",
			[]string{"is supported for postgres, mysql and redis; a %s broker holds transient messages, so keep it available by replication instead"}},
		{[]string{ovr, team + ".services[*]"}, "Names a service of `spec.services`.", []string{"no service named %q%s"}},
		{[]string{ovr + ".replicas.min"}, "In a production environment an override's `replicas.min` is at least 2.",
			[]string{"production runs at least 2 replicas of every service"}},
		{[]string{team + ".name"}, "Team names are unique.", []string{"duplicate team name %q"}},
		{[]string{"spec.services"}, "With `edge.api: gateway` (the default) at most 63 distinct `expose.host` values: the Gateway gets one HTTPS listener per host, and the Gateway API allows 64 listeners including the HTTP one. Share hosts between services (different paths) or use ingress-nginx.",
			[]string{"%d distinct exposed hosts; a Gateway holds at most 63 HTTPS listeners: share hosts between services (different paths) or use edge.api: ingress-nginx"}},
		{[]string{svc + ".expose.host"}, "Every host name the edge serves, `<host>.<environment domain>` in every environment (the environment's domain being `<name>.<domain>` unless set), is a valid DNS name: at most 253 characters, labels of at most 63.",
			[]string{"in environment %q the host name %q %s: shorten the host, the environment name or the domain, or set the environment's domain"}},
		{[]string{svc + ".expose.path"}, "Behind the Gateway API, a gRPC server's `expose.path` is `/` or `/` and a fully qualified gRPC service (`/pkg.v1.Service`): it becomes the service of a GRPCRoute method match.",
			[]string{"%q is not a gRPC service: behind the Gateway API a gRPC path is / or /<fully qualified service> (/pkg.v1.Service, letters, digits and _ in dot-separated parts)"}},
		{[]string{"metadata.name"}, "The platform name neither is `system` nor starts with `system-`: it prefixes the PriorityClasses, and the API server reserves PriorityClass names starting with `system-`.",
			[]string{"%q makes the PriorityClass %q, and the API server reserves PriorityClass names starting with %q: choose another platform name"}},
		{[]string{env + ".name"}, "With namespace isolation, `<platform>-<environment>-<suffix>` (the names of the environment's PriorityClasses and admission policies, and their `app.kubernetes.io/name` label) is at most 63 characters.",
			[]string{"with namespace isolation the cluster-scoped objects of this environment are named <platform>-<environment>-<suffix>; %q is %d characters, over the %d a label value allows: shorten metadata.name or the environment name by %d"}},
		{[]string{data + ".name"}, "An in-cluster store with `backup` has a name of at most 39 characters: its restore-test CronJob `<name>-restore-test` must keep within the API server's 52.",
			[]string{"with backup, the CronJob %q is %d characters, over the %d the API server allows for a CronJob name: shorten the name to at most %d characters"}},
		{[]string{"spec.cicd.repoURL"}, "With `gitops: flux`, `repoURL` is an `https://` or `ssh://` URL: Flux's GitRepository does not read the scp-like `git@host:path`.",
			[]string{"Flux reads only https:// and ssh:// URLs, not the scp-like %q: write it as %q"}},
		{[]string{"spec.cicd.repoURL"}, "`repoURL` is set when `gitops` is `argocd` or `flux`.", []string{"is required when gitops is %s"}},
		{[]string{"spec.security.imageVerification"}, "`imageVerification` names a signer: `issuer` and `subject` together, a PEM `publicKey`, or both.",
			[]string{"needs issuer and subject (keyless signing) or publicKey", "is required with subject", "is required with issuer", "is not a PEM public key (-----BEGIN PUBLIC KEY----- ...)"}},
		{[]string{"spec.nodePools[<name>]"}, "A pool is not both `spot` and `gpu`.", []string{"a pool cannot be both spot and gpu"}},
	}
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

// semanticsFiles are the files of pkg/spec whose add calls are cross-field rules.
var semanticsFiles = []string{"semantics.go", "images.go", "names.go"}

// semanticsMessages returns every format string the cross-field checks
// report with, found as the second argument of calls to add.
func semanticsMessages() ([]string, error) {
	seen := map[string]bool{}
	var bad []string
	for _, name := range semanticsFiles {
		if err := addMessages(name, seen, &bad); err != nil {
			return nil, err
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("specdoc: pkg/spec reports a cross-field message that is not a string literal at %s", strings.Join(bad, ", "))
	}
	return spec.SortedKeys(seen), nil
}

func addMessages(name string, seen map[string]bool, bad *[]string) error {
	fset := token.NewFileSet()
	f, err := parseFile(fset, name)
	if err != nil {
		return err
	}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "add" {
			return true
		}
		if len(call.Args) < 2 {
			return true
		}
		lit, ok := call.Args[1].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			// A computed message cannot be matched with a rule.
			*bad = append(*bad, fset.Position(call.Pos()).String())
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err == nil {
			seen[s] = true
		}
		return true
	})
	return nil
}

// checkRules compares the documented rules with semantics.go.
func checkRules(rules []crossRule) error {
	have, err := semanticsMessages()
	if err != nil {
		return err
	}
	documented := map[string]bool{}
	for _, r := range rules {
		for _, msg := range r.Msgs {
			documented[msg] = true
		}
	}
	var missing, stale []string
	for _, msg := range have {
		if !documented[msg] {
			missing = append(missing, fmt.Sprintf("%q", msg))
		}
		delete(documented, msg)
	}
	for msg := range documented {
		stale = append(stale, fmt.Sprintf("%q", msg))
	}
	sort.Strings(stale)
	if len(missing)+len(stale) > 0 {
		return fmt.Errorf("specdoc: cross-field rules out of date with pkg/spec/semantics.go (edit crossRules in pkg/specdoc/rules.go)\n  undocumented: %s\n  no longer reported: %s",
			strings.Join(missing, ", "), strings.Join(stale, ", "))
	}
	return nil
}

// message shows a format string as a user sees it, with … for the values.
func message(format string) string {
	// A trailing %s right after a value is the "; did you mean …?" suffix.
	if strings.HasSuffix(format, "%s") && !strings.HasSuffix(format, " %s") {
		format = strings.TrimSuffix(format, "%s")
	}
	return strings.NewReplacer("%q", "…", "%s", "…", "%d", "…").Replace(format)
}
