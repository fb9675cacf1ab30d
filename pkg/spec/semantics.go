package spec

import (
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/platformctl/platformctl/pkg/imageref"
)

type addFunc func(path, format string, args ...any)

// checkSemantics reports what field rules cannot see: references between
// entries, uniqueness, and combinations that make no sense.
func checkSemantics(p *Platform, add addFunc) {
	s := &p.Spec
	checkEnvironments(s, add)
	checkDerivedNames(p, add)
	checkHostNames(p, add)
	data := map[string]*DataStore{}
	for i := range s.Data {
		ds := &s.Data[i]
		path := fmt.Sprintf("spec.data[%d]", i)
		if _, dup := data[ds.Name]; dup && ds.Name != "" {
			add(path+".name", "duplicate data store name %q", ds.Name)
		}
		data[ds.Name] = ds
		managed := ds.Mode == "managed"
		if managed && ds.Image != "" {
			add(path+".image", "is only valid for in-cluster stores")
		}
		if ds.Image != "" {
			checkImage(path+".image", ds.Image, add)
		}
		if managed && ds.Endpoint == "" {
			add(path+".endpoint", "is required when mode is managed")
		}
		if managed && validHostPort(ds.Endpoint) {
			// The store's in-cluster name is an ExternalName Service: a DNS
			// CNAME, which the API server wants to be a DNS subdomain (an
			// IPv6 address is refused) and DNS cannot point at an address.
			host, _, _ := net.SplitHostPort(ds.Endpoint)
			if net.ParseIP(host) != nil {
				add(path+".endpoint", "%q is an IP address; a managed store is reached through an ExternalName Service, a DNS alias: give its host name", host)
			} else if problem := HostnameProblem(host, 1); problem != "" {
				add(path+".endpoint", "host %q %s", shortText(host), problem)
			}
		}
		if !managed && ds.Endpoint != "" {
			add(path+".endpoint", "is only valid when mode is managed")
		}
		if managed && ds.Backup != nil {
			add(path+".backup", "is only valid for in-cluster stores; managed stores are backed up by their provider")
		}
		if !managed && ds.Backup != nil && !BackupSupported(ds.Type) {
			add(path+".backup", "is supported for postgres, mysql and redis; a %s broker holds transient messages, so keep it available by replication instead", ds.Type)
		}
		if ds.ExporterImage != "" {
			checkImage(path+".exporterImage", ds.ExporterImage, add)
		}
		if managed && ds.ExporterImage != "" {
			add(path+".exporterImage", "is only valid for in-cluster stores")
		}
		if ds.Type == DataRabbitMQ && ds.ExporterImage != "" {
			add(path+".exporterImage", "is not used: RabbitMQ serves its metrics itself (rabbitmq_prometheus)")
		}
		if managed && ds.VPA != "" {
			add(path+".vpa", "is only valid for in-cluster stores")
		}
		if managed && ds.Storage != "" {
			add(path+".storage", "is only valid for in-cluster stores")
		}
		if managed && ds.StorageClass != "" {
			add(path+".storageClass", "is only valid for in-cluster stores")
		}
	}
	services := map[string]bool{}
	hosts := map[string]string{}
	for i := range s.Services {
		svc := &s.Services[i]
		path := fmt.Sprintf("spec.services[%d]", i)
		// A missing name is reported as required; "duplicate name """ would
		// only add confusion.
		if services[svc.Name] && svc.Name != "" {
			add(path+".name", "duplicate service name %q", svc.Name)
		}
		services[svc.Name] = true
		if _, clash := data[svc.Name]; clash && svc.Name != "" {
			add(path+".name", "%q is also a data store name; names must be unique across services and data", svc.Name)
		}
		checkImage(path+".image", svc.Image, add)
		if svc.Canary != nil {
			checkImage(path+".canary.image", svc.Canary.Image, add)
			if svc.Expose == nil {
				add(path+".canary", "needs expose: a canary is a weighted route")
			}
		}
		if svc.Kind == KindWorker {
			if svc.Expose != nil {
				add(path+".expose", "a worker has no Service and cannot be exposed")
			}
			if svc.Autoscale != nil && svc.Autoscale.RequestsPerSecond > 0 {
				add(path+".autoscale.requestsPerSecond", "a worker serves no requests; scale it on queueDepth")
			}
		}
		if svc.Expose != nil {
			// Compare effective routes: an omitted path defaults to "/".
			p := svc.Expose.Path
			if p == "" {
				p = "/"
			}
			key := svc.Expose.Host + p
			if other, dup := hosts[key]; dup {
				add(path+".expose", "host %q path %q is already routed to %q", svc.Expose.Host, p, other)
			} else {
				hosts[key] = svc.Name // keep the first owner: later duplicates name it
			}
		}
		if e := svc.Expose; e != nil && svc.Protocol == ProtocolGRPC && s.Edge.API != EdgeIngressNginx && e.Path != "" && e.Path != "/" &&
			validURLPath(e.Path) && !grpcSvcRE().MatchString(e.Path[1:]) {
			add(path+".expose.path", "%q is not a gRPC service: behind the Gateway API a gRPC path is / or /<fully qualified service> (/pkg.v1.Service, letters, digits and _ in dot-separated parts)", e.Path)
		}
		if svc.Protocol == ProtocolGRPC && svc.Kind != KindWorker && svc.MetricsPort != 0 && svc.MetricsPort == svc.Port {
			add(path+".metricsPort", "must differ from port for a gRPC server: Prometheus scrapes over HTTP/1.1, which a gRPC port does not serve (omit it for %d)", DefaultGRPCMetricsPort)
		}
		if a := svc.Autoscale; a != nil {
			if a.Min > a.Max {
				add(path+".autoscale.min", "min (%d) is greater than max (%d)", a.Min, a.Max)
			}
			if a.QueueDepth > 0 && svc.Consumes == nil {
				add(path+".autoscale.queueDepth", "needs consumes: the queue depth comes from the consumed queue")
			}
		}
		if svc.Replicas != nil && svc.Autoscale != nil {
			add(path+".replicas", "conflicts with autoscale: set one or the other")
		}
		for j, u := range svc.Uses {
			if _, ok := data[u]; !ok {
				add(fmt.Sprintf("%s.uses[%d]", path, j), "no data store named %q%s", u, didYouMean(u, keys(data)))
			}
		}
		if dupe := firstDuplicate(svc.Uses); dupe != "" {
			add(path+".uses", "%q is listed twice", dupe)
		}
		if c := svc.Consumes; c != nil {
			ds, ok := data[c.Queue]
			switch {
			case !ok:
				add(path+".consumes.queue", "no data store named %q%s", c.Queue, didYouMean(c.Queue, keys(data)))
			case ds.Type != "" && !IsBroker(ds.Type): // a missing type is reported on the store
				add(path+".consumes.queue", "%q is a %s store, not a message broker", c.Queue, ds.Type)
			}
		}
		if svc.GPUs > 0 && !s.NodePools[svc.NodePool].GPU {
			add(path+".gpus", "needs nodePool to name a pool with gpu: true (GPU nodes carry the device plugin and a taint)")
		}
		if svc.NodePool != "" {
			if _, ok := s.NodePools[svc.NodePool]; !ok {
				add(path+".nodePool", "no node pool named %q in spec.nodePools%s", svc.NodePool, didYouMean(svc.NodePool, SortedKeys(s.NodePools)))
			}
		}
		for k := range svc.Secrets {
			if _, clash := svc.Env[k]; clash {
				add(fmt.Sprintf("%s.secrets[%s]", path, k), "%s is also set in env", k)
			}
		}
	}
	for i, e := range s.Environments {
		for _, name := range SortedKeys(e.Overrides.Services) {
			op := fmt.Sprintf("spec.environments[%d].overrides.services[%s]", i, name)
			if !services[name] {
				add(op, "no service named %q%s", name, didYouMean(name, SortedKeys(services)))
				continue
			}
			o := e.Overrides.Services[name]
			if o.Replicas != nil {
				if o.Replicas.Min > o.Replicas.Max {
					add(op+".replicas.min", "min (%d) is greater than max (%d)", o.Replicas.Min, o.Replicas.Max)
				}
				if e.Tier == TierProduction && o.Replicas.Min < 2 {
					add(op+".replicas.min", "production runs at least 2 replicas of every service")
				}
			}
			if o.Image != "" {
				checkImage(op+".image", o.Image, add)
			}
		}
	}
	teams := map[string]bool{}
	for i, t := range s.Teams {
		path := fmt.Sprintf("spec.teams[%d]", i)
		if teams[t.Name] && t.Name != "" {
			add(path+".name", "duplicate team name %q", t.Name)
		}
		teams[t.Name] = true
		for j, svc := range t.Services {
			if !services[svc] {
				add(fmt.Sprintf("%s.services[%d]", path, j), "no service named %q%s", svc, didYouMean(svc, SortedKeys(services)))
			}
		}
	}
	if s.Edge.API != EdgeIngressNginx {
		distinct := map[string]bool{}
		for _, svc := range s.Services {
			if svc.Expose != nil {
				distinct[svc.Expose.Host] = true
			}
		}
		// One HTTPS listener per host plus the HTTP redirect listener; the
		// Gateway API caps a Gateway at 64 listeners.
		if len(distinct) > 63 {
			add("spec.services", "%d distinct exposed hosts; a Gateway holds at most 63 HTTPS listeners: share hosts between services (different paths) or use edge.api: ingress-nginx", len(distinct))
		}
	}
	checkImageSupplyChain(p, add)
	if v := s.Security.ImageVerification; v != nil {
		checkImageVerification(v, add)
	}
	if g := s.CICD.GitOps; (g == "argocd" || g == "flux") && s.CICD.RepoURL == "" {
		add("spec.cicd.repoURL", "is required when gitops is %s", g)
	}
	if u := s.CICD.RepoURL; s.CICD.GitOps == "flux" && u != "" && !strings.Contains(u, "://") && GitRepoURLProblem(u) == "" {
		// Flux's GitRepository CRD wants a scheme (^(http|https|ssh)://).
		userHost, repo, _ := strings.Cut(u, ":")
		add("spec.cicd.repoURL", "Flux reads only https:// and ssh:// URLs, not the scp-like %q: write it as %q", u, "ssh://"+userHost+"/"+strings.TrimPrefix(repo, "/"))
	}
	for name, np := range s.NodePools {
		if np.Spot && np.GPU {
			add(fmt.Sprintf("spec.nodePools[%s]", name), "a pool cannot be both spot and gpu")
		}
	}
}

func checkEnvironments(s *PlatformSpec, add addFunc) {
	envs := map[string]bool{}
	for i, e := range s.Environments {
		path := fmt.Sprintf("spec.environments[%d]", i)
		if envs[e.Name] && e.Name != "" {
			add(path+".name", "duplicate environment name %q", e.Name)
		}
		envs[e.Name] = true
		if dupe := firstDuplicate(e.Zones); dupe != "" {
			add(path+".zones", "zone %q is listed twice", dupe)
		}
		if e.Tier == TierProduction && len(e.Zones) < 2 && e.SingleZoneReason == "" {
			add(path+".zones", "production needs at least two zones to survive a zone outage; list them, or set singleZoneReason to say why not")
		}
	}
}

// checkImage requires an explicit, immutable-looking reference: a tag other
// than latest, or a digest.
func checkImage(path, ref string, add addFunc) {
	if !imageRefRE().MatchString(ref) {
		return // the field rule already reported it
	}
	r := imageref.Parse(ref)
	tag := r.Tag
	switch {
	case r.Pinned():
	case tag == "":
		add(path, "%q has no tag; pin a version (e.g. %s:1.2.3) or a digest (@sha256:…)", ref, ref)
	case tag == "latest":
		add(path, "%q uses the mutable tag latest; pin a version or a digest", ref)
	}
}

func firstDuplicate(list []string) string {
	seen := map[string]bool{}
	for _, v := range list {
		if seen[v] {
			return v
		}
		seen[v] = true
	}
	return ""
}

func keys[V any](m map[string]V) []string { return SortedKeys(m) }

func didYouMean(s string, candidates []string) string {
	if c := suggest(s, candidates); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	if len(candidates) > 0 && len(candidates) <= 8 {
		sort.Strings(candidates)
		return "; defined: " + strings.Join(candidates, ", ")
	}
	return ""
}

// checkImageVerification wants at least one complete signer.
func checkImageVerification(v *ImageVerification, add addFunc) {
	const path = "spec.security.imageVerification"
	keyless := v.Issuer != "" || v.Subject != ""
	if !keyless && v.PublicKey == "" {
		add(path, "needs issuer and subject (keyless signing) or publicKey")
		return
	}
	if keyless && v.Issuer == "" {
		add(path+".issuer", "is required with subject")
	}
	if keyless && v.Subject == "" {
		add(path+".subject", "is required with issuer")
	}
	if v.PublicKey != "" && !strings.Contains(v.PublicKey, "-----BEGIN PUBLIC KEY-----") {
		add(path+".publicKey", "is not a PEM public key (-----BEGIN PUBLIC KEY----- ...)")
	}
}

// BackupSupported reports whether platformctl can back up an in-cluster
// store of type t (dump, retention and a restore test).
func BackupSupported(t DataStoreType) bool {
	return t == DataPostgres || t == DataMySQL || t == DataRedis
}
