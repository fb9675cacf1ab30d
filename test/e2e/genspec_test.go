package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/test/e2e/internal/kube"
)

// TestGeneratedSpecs is the property behind `validate`: anything it accepts,
// the API server accepts. It generates random specs from the spec model
// (names, hosts, paths, ports, schedules, labels and taints close to their
// limits), each of which must pass `platformctl validate`; every environment
// of each is built and dry-run against the API server like the examples.
//
// Reproducible: spec i of a run is generated from seed E2E_SPEC_SEED+i (by
// default 1+i), E2E_SPECS says how many (default 40). A failure prints the
// seed and the spec, so `E2E_SPEC_SEED=<seed> E2E_SPECS=1` repeats it.
func TestGeneratedSpecs(t *testing.T) {
	seed := envInt(t, "E2E_SPEC_SEED", 1)
	count := envInt(t, "E2E_SPECS", 40)
	bin := platformctlBinary(t)
	dir := t.TempDir()
	for i := range count {
		s := uint64(seed + i)
		t.Run(fmt.Sprintf("seed=%d", s), func(t *testing.T) {
			spec, envs := generateSpec(rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15)))
			data, err := yaml.Marshal(spec)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, fmt.Sprintf("platform-%d.yaml", s))
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("seed %d (E2E_SPEC_SEED=%d E2E_SPECS=1): %s\n--- spec\n%s", s, s, fmt.Sprintf(format, args...), data)
			}
			if out, err := runPlatformctl(bin, "validate", "-f", path); err != nil {
				fail("the generator made a spec validate refuses (fix the generator, or the validator if the spec is right):\n%s", out)
			}
			for _, env := range envs {
				out, err := runPlatformctl(bin, "build", "-f", path, "--env", env)
				if err != nil {
					fail("validate accepts the spec but build --env %s fails:\n%s", env, out)
				}
				objs, err := kube.Decode([]byte(out))
				if err != nil {
					fail("build --env %s printed invalid YAML: %v", env, err)
				}
				problems := kube.Duplicates(objs)
				problems = append(problems, suite.client.Apply(context.Background(), objs, kube.ApplyOptions{DryRun: true})...)
				if len(problems) > 0 {
					var b strings.Builder
					for _, p := range problems {
						fmt.Fprintf(&b, "  %s\n", p)
					}
					fail("validate accepts the spec, the API server refuses environment %s:\n%s", env, b.String())
				}
			}
		})
	}
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a non-negative integer", name, v)
	}
	return n
}

func runPlatformctl(bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// gen draws values for one spec. Names are unique across the spec (the
// validator wants services and data stores distinct, and unique names keep
// the generator simple).
type gen struct {
	r    *rand.Rand
	used map[string]bool
}

const (
	lower  = "abcdefghijklmnopqrstuvwxyz"
	alnum  = lower + "0123456789"
	digest = "@sha256:f10206571bdc546d01df76d5540a58e3838690f037170c8eca17ab7c25917fc0"
)

// label is a random DNS label of 1..maxLen characters, often at the limit.
func (g *gen) label(maxLen int) string {
	n := 1 + g.r.IntN(maxLen)
	if g.r.IntN(3) == 0 {
		n = maxLen
	}
	b := make([]byte, n)
	for i := range b {
		switch {
		case i == 0:
			b[i] = lower[g.r.IntN(len(lower))]
		case i == n-1:
			b[i] = alnum[g.r.IntN(len(alnum))]
		case g.r.IntN(6) == 0:
			b[i] = '-'
		default:
			b[i] = alnum[g.r.IntN(len(alnum))]
		}
	}
	return string(b)
}

func (g *gen) name(maxLen int) string {
	for {
		n := g.label(maxLen)
		// "system" and "system-…" are refused as a platform name; keep
		// every name away from it so any may become the platform's.
		if !g.used[n] && !strings.HasPrefix(n+"-", "system-") {
			g.used[n] = true
			return n
		}
	}
}

func (g *gen) pick(vals ...string) string { return vals[g.r.IntN(len(vals))] }
func (g *gen) chance(n int) bool          { return g.r.IntN(n) == 0 }

// domain is two to four labels; the total stays short enough for the hosts
// built on it (<host>.<env>.<domain> with a 63-character host and a
// 20-character environment).
func (g *gen) domain() string {
	parts := []string{}
	for range 1 + g.r.IntN(3) {
		parts = append(parts, g.label(30))
	}
	return strings.Join(parts, ".") + "." + g.pick("com", "io", "example", "dev")
}

// cron is a schedule with every field in range, in one of the forms the
// API server's parser reads.
func (g *gen) cron() string {
	if g.chance(5) {
		return g.pick("@daily", "@hourly", "@weekly", "@monthly", "@midnight", "@yearly", "@every 6h")
	}
	field := func(lo, hi int, names []string) string {
		switch g.r.IntN(6) {
		case 0:
			return "*"
		case 1:
			return fmt.Sprintf("*/%d", 1+g.r.IntN(hi-lo+1))
		case 2:
			a := lo + g.r.IntN(hi-lo+1)
			return fmt.Sprintf("%d-%d", a, a+g.r.IntN(hi-a+1))
		case 3:
			return fmt.Sprintf("%d,%d", lo+g.r.IntN(hi-lo+1), lo+g.r.IntN(hi-lo+1))
		case 4:
			if names != nil {
				return names[g.r.IntN(len(names))]
			}
		}
		return strconv.Itoa(lo + g.r.IntN(hi-lo+1))
	}
	return strings.Join([]string{
		field(0, 59, nil), field(0, 23, nil), field(1, 28, nil),
		field(1, 12, []string{"JAN", "jun", "DEC"}), field(0, 6, []string{"SUN", "mon", "SAT"}),
	}, " ")
}

// urlPath is an HTTP path prefix of RFC 3986 characters and %XX escapes.
func (g *gen) urlPath() string {
	if g.chance(3) {
		return "/"
	}
	const chars = "abcXYZ019-._~!$&'()*+,;=:@"
	var b strings.Builder
	for range 1 + g.r.IntN(3) {
		b.WriteByte('/')
		for range 1 + g.r.IntN(8) {
			if g.chance(10) {
				b.WriteString(g.pick("%20", "%41", "%e2", "%7E"))
				continue
			}
			b.WriteByte(chars[g.r.IntN(len(chars))])
		}
		// A segment of dots only is a dot segment, which is refused.
		if s := b.String(); strings.HasSuffix(s, "/.") || strings.HasSuffix(s, "/..") {
			b.WriteByte('x')
		}
	}
	if g.chance(4) {
		b.WriteByte('/')
	}
	return b.String()
}

func (g *gen) labelValue() string {
	if g.chance(6) {
		return ""
	}
	const chars = "abcXYZ019-_."
	n := 1 + g.r.IntN(63)
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[g.r.IntN(len(chars))]
		if i == 0 || i == n-1 {
			b[i] = alnum[g.r.IntN(len(alnum))]
		}
	}
	return string(b)
}

func (g *gen) labelKey() string {
	name := g.label(20)
	if g.chance(2) {
		return g.pick("example.com", "node.example.io", "platform.acme.dev") + "/" + name
	}
	return name
}

// generateSpec returns a spec as a YAML-ready value and its environment names.
func generateSpec(r *rand.Rand) (map[string]any, []string) {
	g := &gen{r: r, used: map[string]bool{}}
	platform := g.name(40)
	var envs []any
	var envNames []string
	for i := range 1 + g.r.IntN(3) {
		name := g.name(20)
		tier := g.pick("development", "testing", "staging", "production")
		if i == 0 && g.chance(2) {
			tier = "production"
		}
		e := map[string]any{"name": name, "tier": tier}
		if g.chance(3) {
			e["isolation"] = g.pick("cluster", "namespace")
		}
		if tier == "production" {
			e["zones"] = []any{"zone-a", "zone-b", "zone-c"}[:2+g.r.IntN(2)]
			e["region"] = "eu-west-1"
		}
		if g.chance(4) {
			e["domain"] = g.domain()
		}
		envs = append(envs, e)
		envNames = append(envNames, name)
	}
	// Namespace isolation names cluster-scoped objects
	// <platform>-<env>-<suffix>, which must stay a 63-character label value:
	// shorten the platform name when a combination would not fit.
	for _, e := range envs {
		e := e.(map[string]any)
		iso, _ := e["isolation"].(string)
		if iso == "" && e["tier"] != "production" {
			iso = "namespace"
		}
		if iso == "namespace" {
			if over := len(platform) + 1 + len(e["name"].(string)) + len("-verify-images") - 63; over > 0 {
				platform = platform[:len(platform)-over]
				platform = strings.TrimRight(platform, "-")
				if strings.HasPrefix(platform+"-", "system-") {
					platform = "p" + platform[1:]
				}
			}
		}
	}
	image := func(repo string) string {
		return "ghcr.io/acme/" + repo + ":1.0." + strconv.Itoa(g.r.IntN(10)) + digest
	}
	metrics := g.chance(2)
	spec := map[string]any{
		"domain":       g.domain(),
		"environments": envs,
	}
	edgeAPI := g.pick("gateway", "ingress-nginx")
	edge := map[string]any{"api": edgeAPI}
	spec["edge"] = edge
	// The edge profile decides which edge fields may be set (spec.EdgeFeatures):
	// each is set only where it renders.
	impl := ""
	if edgeAPI == "gateway" {
		if impl = g.pick("", "envoy-gateway", "istio", "generic"); impl != "" {
			edge["implementation"] = impl
		}
	}
	envoyGW := edgeAPI == "gateway" && (impl == "" || impl == "envoy-gateway")
	if (envoyGW || edgeAPI == "ingress-nginx") && g.chance(2) {
		edge["rateLimit"] = map[string]any{"requestsPerSecond": 1 + g.r.IntN(100000)}
	}
	if (envoyGW || edgeAPI == "ingress-nginx") && g.chance(2) {
		edge["maxBodySize"] = g.pick("1", "500k", "1536Ki", "8Mi", "1.5Mi", "2Gi")
	}
	if impl != "generic" && g.chance(2) {
		edge["clientIP"] = g.pick("preserve", "distribute")
	}
	if envoyGW {
		tls := map[string]any{}
		if g.chance(2) {
			tls["minVersion"] = g.pick("1.2", "1.3")
		}
		if tls["minVersion"] != "1.3" && g.chance(2) {
			tls["ciphers"] = []any{g.pick("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"), "ECDHE-RSA-CHACHA20-POLY1305"}
		}
		if len(tls) > 0 {
			edge["tls"] = tls
		}
		if g.chance(2) {
			edge["trustedHops"] = 1 + g.r.IntN(10)
		}
		if g.chance(2) {
			edge["maxConnections"] = 1 + g.r.IntN(10000000)
		}
		if g.chance(3) {
			edge["proxyNamespace"] = g.label(63)
		}
	}
	duration := func() string { return g.pick("1ms", "250ms", "1.5s", "30s", "90s", "1h30m", "100h") }
	cni := g.pick("generic", "cilium", "calico")
	spec["network"] = map[string]any{"cni": cni}
	// A mesh only with edge proxies that can join it (spec.MeshEdgeProfiles).
	switch {
	case envoyGW && g.chance(3):
		spec["mesh"] = g.pick("istio", "linkerd")
	case impl == "istio" && g.chance(3):
		spec["mesh"] = map[string]any{"provider": "istio", "mode": "ambient"}
	}

	// Data stores first: services use them.
	var data []any
	encrypted := []string{"encrypted-ssd", "gp3-encrypted", "premium-cmek"}
	backups := false
	var stores, brokers []string
	for range g.r.IntN(4) {
		name := g.name(39)
		typ := g.pick("postgres", "mysql", "redis", "rabbitmq", "nats", "kafka", "ferretdb")
		ds := map[string]any{"name": name, "type": typ}
		if g.chance(3) {
			ds["mode"] = "managed"
			// Production wants it declared encrypted and verified.
			ds["encryptedAtRest"] = true
			if g.chance(3) {
				ds["ca"] = "certs/" + g.label(20)
			}
			ds["endpoint"] = g.label(20) + ".db.example.internal:" + strconv.Itoa(1+g.r.IntN(65535))
			// Only Cilium may open the endpoint by name.
			if cni != "cilium" || g.chance(2) {
				ds["cidrs"] = []any{"10." + strconv.Itoa(g.r.IntN(256)) + "." + strconv.Itoa(g.r.IntN(256)) + ".0/24"}
			}
		} else {
			ds["image"] = "docker.io/library/" + typ + ":1" + digest
			if typ == "ferretdb" {
				// Tagged with its PostgreSQL major, which CloudNativePG reads.
				ds["image"] = "ghcr.io/ferretdb/postgres-documentdb:17-0.107.0-ferretdb-2.7.0" + digest
				ds["proxyImage"] = "ghcr.io/ferretdb/ferretdb:2.7.0" + digest
			}
			if metrics && typ != "rabbitmq" && typ != "ferretdb" {
				ds["exporterImage"] = "quay.io/prometheuscommunity/exporter:v1.0.0" + digest
			}
			ds["storage"] = g.pick("1Gi", "20Gi", "500Mi")
			// Production wants a class declared encrypted.
			ds["storageClass"] = g.pick(encrypted...)
			if typ == "redis" && g.chance(3) {
				ds["mode"] = g.pick("operator", "in-cluster")
				if ds["mode"] == "operator" && g.chance(2) {
					ds["instances"] = 2 + g.r.IntN(4)
				}
			}
			if typ == "postgres" || typ == "ferretdb" {
				switch {
				case g.chance(3) && typ == "postgres":
					ds["mode"] = g.pick("operator", "in-cluster")
				case g.chance(3):
					ds["instances"] = 2 + g.r.IntN(4)
					ds["synchronous"] = g.pick("preferred", "required")
				}
			}
			if typ == "postgres" || typ == "mysql" || typ == "redis" || typ == "ferretdb" {
				if g.chance(2) {
					backups = true
					b := map[string]any{"schedule": g.cron()}
					if g.chance(3) {
						b["storageClass"] = g.pick(encrypted...)
					}
					if g.chance(2) {
						b["retentionDays"] = 1 + g.r.IntN(3650)
					}
					if g.chance(3) {
						b["restoreTestSchedule"] = g.cron()
					}
					ds["backup"] = b
				}
			}
			if g.chance(3) {
				ds["vpa"] = g.pick("Off", "Initial")
			}
		}
		data = append(data, ds)
		stores = append(stores, name)
		if typ != "postgres" && typ != "mysql" && typ != "ferretdb" {
			brokers = append(brokers, name)
		}
	}

	pools := map[string]any{}
	var poolNames []string
	gpuPool := ""
	for range g.r.IntN(3) {
		name := g.name(40)
		np := map[string]any{}
		switch g.r.IntN(3) {
		case 0:
			np["spot"] = true
		case 1:
			np["gpu"] = true
			gpuPool = name
		}
		if g.chance(2) {
			labels := map[string]any{}
			for range 1 + g.r.IntN(3) {
				labels[g.labelKey()] = g.labelValue()
			}
			np["labels"] = labels
		}
		if g.chance(2) {
			var taints []any
			for range 1 + g.r.IntN(2) {
				t := map[string]any{"key": g.labelKey(), "effect": g.pick("NoSchedule", "PreferNoSchedule", "NoExecute")}
				if v := g.labelValue(); v != "" {
					t["value"] = v
				}
				taints = append(taints, t)
			}
			np["taints"] = taints
		}
		pools[name] = np
		poolNames = append(poolNames, name)
	}
	if len(pools) > 0 {
		spec["nodePools"] = pools
	}

	var services []any
	var serviceNames []string
	routes := map[string]bool{}
	for range 1 + g.r.IntN(4) {
		name := g.name(40)
		svc := map[string]any{"name": name, "image": image(name)}
		worker := g.chance(4)
		if worker {
			svc["kind"] = "worker"
		}
		protocol := "http"
		if !worker {
			protocol = g.pick("http", "grpc", "websocket")
			svc["protocol"] = protocol
		}
		port := 1024 + g.r.IntN(64000)
		if g.chance(2) {
			svc["port"] = port
		} else {
			port = 8080
		}
		if g.chance(3) && protocol != "grpc" {
			svc["metricsPort"] = 1 + g.r.IntN(65535)
		}
		if !worker && g.chance(2) {
			host := g.label(63)
			path := g.urlPath()
			if protocol == "grpc" && edgeAPI == "gateway" && path != "/" {
				path = "/" + g.pick("orders.v1.Orders", "acme.shop.v2.Cart", "Health", "_x.y_1")
			}
			if !routes[host+path] {
				routes[host+path] = true
				expose := map[string]any{"host": host, "path": path}
				svc["expose"] = expose
				if envoyGW && g.chance(3) {
					expose["rateLimit"] = map[string]any{"requestsPerSecond": 1 + g.r.IntN(100000)}
				}
				if envoyGW && protocol == "http" && g.chance(3) {
					expose["maxBodySize"] = g.pick("64Ki", "1.5Mi", "100M")
				}
				if (envoyGW && protocol != "websocket" || impl == "istio" && protocol == "http") && g.chance(3) {
					expose["timeout"] = duration()
				}
				if envoyGW && g.chance(3) {
					expose["idleTimeout"] = duration()
				}
				if g.chance(3) {
					svc["canary"] = map[string]any{"weight": 1 + g.r.IntN(99), "image": image(name)}
				}
			}
		}
		if protocol == "http" && g.chance(2) {
			svc["health"] = map[string]any{"readiness": g.urlPath(), "liveness": g.urlPath()}
		}
		if g.chance(2) {
			svc["resources"] = map[string]any{"cpu": g.pick("100m", "1", "250m"), "memory": g.pick("64Mi", "1Gi", "300M")}
		}
		if g.chance(2) {
			min := 1 + g.r.IntN(5)
			as := map[string]any{"min": min, "max": min + g.r.IntN(20)}
			if g.chance(2) {
				as["cpuPercent"] = 1 + g.r.IntN(100)
			}
			svc["autoscale"] = as
		} else if g.chance(2) {
			svc["replicas"] = 1 + g.r.IntN(10)
		}
		if len(stores) > 0 && g.chance(2) {
			svc["uses"] = []any{stores[g.r.IntN(len(stores))]}
		}
		if cni == "cilium" && g.chance(2) {
			host := g.label(20) + ".api.example.com"
			if g.chance(2) {
				host = "*." + host
			}
			svc["egress"] = []any{map[string]any{"host": host, "ports": []any{443}}}
		}
		if worker && len(brokers) > 0 && g.chance(2) {
			svc["consumes"] = map[string]any{"queue": brokers[g.r.IntN(len(brokers))], "deadLetter": g.chance(2)}
		}
		if gpuPool != "" && g.chance(3) {
			svc["nodePool"] = gpuPool
			svc["gpus"] = 1 + g.r.IntN(16)
		} else if len(poolNames) > 0 && g.chance(2) {
			svc["nodePool"] = poolNames[g.r.IntN(len(poolNames))]
		}
		if g.chance(2) {
			svc["env"] = map[string]any{"LOG_LEVEL": "info", "X_" + strings.ToUpper(strings.ReplaceAll(g.label(10), "-", "_")): "1"}
		}
		if g.chance(3) {
			svc["runAsUser"] = 1 + g.r.IntN(2147483646)
		}
		g.passThrough(svc, worker, port)
		services = append(services, svc)
		serviceNames = append(serviceNames, name)
	}
	spec["services"] = services
	if len(data) > 0 {
		spec["data"] = data
		spec["encryptedStorageClasses"] = encrypted
	}
	if backups {
		spec["backupStorage"] = g.backupStorage(cni)
		// Sometimes an environment has a bucket of its own.
		if g.chance(3) {
			envs[g.r.IntN(len(envs))].(map[string]any)["backupStorage"] = g.backupStorage(cni)
		}
	}
	obs := map[string]any{"metrics": metrics}
	if g.chance(2) {
		obs["tracing"] = map[string]any{"sampleRatio": float64(g.r.IntN(101)) / 100,
			"collectorImage": "docker.io/otel/opentelemetry-collector-contrib:0.115.1" + digest}
	}
	if g.chance(2) {
		obs["slo"] = map[string]any{"availability": g.pick("99.9", "99", "95.5"), "latencyP99": g.pick("300ms", "1s")}
	}
	spec["observability"] = obs
	switch g.r.IntN(3) {
	case 0:
		spec["cicd"] = map[string]any{"gitops": "argocd", "repoURL": g.pick("https://github.com/acme/deploy", "git@github.com:acme/deploy.git", "ssh://git@gitlab.example.com:2222/acme/deploy.git")}
	case 1:
		spec["cicd"] = map[string]any{"gitops": "flux", "repoURL": g.pick("https://github.com/acme/deploy", "ssh://git@github.com/acme/deploy.git"), "path": g.pick("deploy", "clusters/prod")}
	}
	if g.chance(2) {
		spec["teams"] = []any{map[string]any{"name": g.name(40), "group": "devs@example.com", "services": []any{serviceNames[0]}, "access": g.pick("view", "edit")}}
	}
	security := map[string]any{"admissionPolicies": g.chance(2)}
	if g.chance(3) {
		security["imageVerification"] = map[string]any{"issuer": "https://token.actions.githubusercontent.com", "subject": "https://github.com/acme/x/.github/workflows/release.yml@refs/heads/main"}
	}
	spec["security"] = security
	return map[string]any{
		"apiVersion": "platformctl.dev/v1alpha1",
		"kind":       "Platform",
		"metadata":   map[string]any{"name": platform},
		"spec":       spec,
	}, envNames
}

// passThrough adds pod annotations and labels, extra ports (a server's),
// volumes, a sidecar and an init container to svc, each by chance: what
// the pods must carry to the API server unchanged.
func (g *gen) passThrough(svc map[string]any, worker bool, port int) {
	if g.chance(3) {
		svc["podAnnotations"] = map[string]any{g.labelKey(): g.pick("true", `[{"source":"go","service":"x"}]`, "", "a value with spaces")}
	}
	if g.chance(3) {
		svc["podLabels"] = map[string]any{g.labelKey(): g.labelValue()}
	}
	// Ports in use: the service port and the metrics port as defaulted.
	used := map[int]bool{port: true, 9464: true, 9465: true}
	if mp, ok := svc["metricsPort"].(int); ok {
		used[mp] = true
	}
	free := func() int {
		for {
			if n := 1 + g.r.IntN(65535); !used[n] {
				used[n] = true
				return n
			}
		}
	}
	var ports []any
	if !worker && g.chance(3) {
		ports = append(ports, map[string]any{"name": g.pick("admin", "http-admin", "debug9", "x-1"), "port": free(), "protocol": "TCP"})
		svc["ports"] = ports
	}
	var volumes []any
	if g.chance(3) {
		ed := map[string]any{"sizeLimit": g.pick("1Mi", "512Mi", "2Gi")}
		if g.chance(2) {
			ed["medium"] = "Memory"
		}
		volumes = append(volumes, map[string]any{"name": "scratch", "mountPath": "/scratch", "emptyDir": ed})
	}
	if g.chance(4) {
		volumes = append(volumes, map[string]any{"name": "data", "mountPath": "/srv/data", "readOnly": g.chance(2), "claimName": g.name(40)})
	}
	if len(volumes) > 0 {
		svc["volumes"] = volumes
	}
	mounts := func() []any {
		if len(volumes) == 0 {
			return nil
		}
		v := volumes[g.r.IntN(len(volumes))].(map[string]any)
		return []any{map[string]any{"volume": v["name"], "mountPath": "/mnt/" + v["name"].(string), "readOnly": g.chance(2)}}
	}
	image := "ghcr.io/acme/agent:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b"
	if g.chance(3) {
		sc := map[string]any{"name": "agent", "image": image, "args": []any{"--listen"}, "env": map[string]any{"AGENT_MODE": "sidecar"}}
		if m := mounts(); m != nil {
			sc["mounts"] = m
		}
		if !worker && g.chance(2) {
			sc["ports"] = []any{map[string]any{"name": "agent", "port": free()}}
		}
		if g.chance(2) {
			sc["resources"] = map[string]any{"cpu": "10m", "memory": "16Mi"}
		}
		svc["sidecars"] = []any{sc}
	}
	if g.chance(3) {
		ic := map[string]any{"name": "setup", "image": image, "command": []any{"/setup"}}
		if m := mounts(); m != nil {
			ic["mounts"] = m
		}
		svc["initContainers"] = []any{ic}
	}
}

// backupStorage is a backup storage of any provider, with a workload
// identity or a static key, and cidrs unless Cilium opens it by name.
func (g *gen) backupStorage(cni string) map[string]any {
	b := map[string]any{"bucket": g.label(20) + "-backups",
		"uploaderImage": "docker.io/rclone/rclone:1.71.2" + digest, "kubectlImage": "docker.io/acme/kubectl:1.37.2" + digest}
	switch g.pick("s3", "gcs", "azure") {
	case "s3":
		b["provider"] = "s3"
		if g.chance(3) {
			b["endpoint"] = "https://minio." + g.label(10) + ".example.internal"
		} else {
			b["region"] = g.pick("eu-west-1", "us-east-1")
		}
		if g.chance(2) {
			b["encryption"] = g.pick("aws:kms", "AES256")
		}
		switch {
		case g.chance(2):
			b["identity"] = map[string]any{"provider": "aws-irsa", "roleARN": "arn:aws:iam::111122223333:role/" + g.label(20), "stsRegionalEndpoints": g.chance(2)}
		case g.chance(2):
			b["identity"] = map[string]any{"provider": "eks-pod-identity"}
		}
	case "gcs":
		b["provider"] = "gcs"
		if g.chance(2) {
			b["identity"] = map[string]any{"provider": "gcp"}
		}
	default:
		b["provider"] = "azure"
		b["account"] = "acct" + strconv.Itoa(g.r.IntN(1_000_000))
		if g.chance(2) {
			b["identity"] = map[string]any{"provider": "azure", "clientID": "8c1f0f4e-5b2a-4d7e-9a3b-2f6d1c0e9b7a"}
		}
	}
	if b["identity"] == nil {
		b["credentials"] = "backups/" + g.label(20)
	}
	if g.chance(2) {
		b["path"] = g.label(10) + "/" + g.label(10)
	}
	if cni != "cilium" || g.chance(2) {
		b["cidrs"] = []any{"10." + strconv.Itoa(g.r.IntN(256)) + ".0.0/16"}
	}
	return b
}
