package specdoc

import (
	"fmt"
	"io"
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// The tier section is prose written from reading spec.Resolve and the
// generator; every number in it, and both tables, come from calling Resolve,
// Default and EnvDomain, so a changed default changes the document.

type tierRow struct {
	label string
	env   *spec.Environment
}

func tierRows() []tierRow {
	zones := func(n int) []string { return []string{"zone-a", "zone-b", "zone-c"}[:n] }
	return []tierRow{
		{"development", &spec.Environment{Name: "<env>", Tier: spec.TierDevelopment}},
		{"testing", &spec.Environment{Name: "<env>", Tier: spec.TierTesting}},
		{"staging", &spec.Environment{Name: "<env>", Tier: spec.TierStaging}},
		{"production, 0–1 zones", &spec.Environment{Name: "<env>", Tier: spec.TierProduction, Zones: zones(1)}},
		{"production, 2 zones", &spec.Environment{Name: "<env>", Tier: spec.TierProduction, Zones: zones(2)}},
		{"production, 3+ zones", &spec.Environment{Name: "<env>", Tier: spec.TierProduction, Zones: zones(3)}},
	}
}

func tierOf(rows []tierRow, t spec.Tier, zones int) *spec.Environment {
	for _, r := range rows {
		if r.env.Tier == t && len(r.env.Zones) >= zones {
			return r.env
		}
	}
	return nil
}

// scenario is one column of the capacity table: a service (and maybe an
// override) resolved in every tier.
type scenario struct {
	title string
	svc   spec.Service
	ovr   *spec.ServiceOverride
}

func i32(v int32) *int32 { return &v }

func resolveIn(s scenario, env *spec.Environment) spec.Plan {
	e := *env
	if s.ovr != nil {
		e.Overrides.Services = map[string]spec.ServiceOverride{s.svc.Name: *s.ovr}
	}
	return spec.Resolve(&s.svc, &e)
}

func fmtPlan(p spec.Plan) string {
	s := fmt.Sprint(p.Replicas)
	if p.HPA != nil {
		s = fmt.Sprintf("HPA %d–%d", p.HPA.Min, p.HPA.Max)
	}
	if p.PDB {
		s += " + PDB"
	}
	return s
}

func writeTiers(w io.Writer) {
	rows := tierRows()
	web := spec.Service{Name: "web"}
	plan := func(t spec.Tier, zones int, s spec.Service) spec.Plan {
		return spec.Resolve(&s, tierOf(rows, t, zones))
	}
	dev, stg := plan(spec.TierDevelopment, 0, web), plan(spec.TierStaging, 0, web)
	prod, prod3 := plan(spec.TierProduction, 0, web), plan(spec.TierProduction, 3, web)
	noMetric := web
	noMetric.Autoscale = &spec.Autoscale{Min: 2, Max: 4}
	cpu := plan(spec.TierStaging, 0, noMetric).HPA.CPUPercent

	fmt.Fprintf(w, "## Tier defaults\n\n")
	fmt.Fprintf(w, "An environment's `tier` decides how each service runs there. "+
		"platformctl resolves every service in every environment (`spec.Resolve`): the tier's defaults first, then the environment's `overrides`, then the production floor.\n\n")
	fmt.Fprintf(w, "- **development** and **testing** are small and cheap. A service runs exactly %d replica: its `replicas` and `autoscale` are ignored, "+
		"so there is no HorizontalPodAutoscaler and no PodDisruptionBudget unless an override asks for them (below). Default requests are %s CPU and %s memory.\n", dev.Replicas, dev.CPU, dev.Memory)
	fmt.Fprintf(w, "- **staging** runs services as written: `replicas` (default %d) or `autoscale` apply unchanged, and a PodDisruptionBudget is added when a service never runs fewer than 2 replicas. "+
		"Default requests are %s CPU and %s memory.\n", stg.Replicas, stg.CPU, stg.Memory)
	fmt.Fprintf(w, "- **production** keeps capacity through a node drain and a zone outage. Every service runs at least %d replicas, %d when the environment lists 3 or more zones: "+
		"a fixed count below that is raised, and so is an autoscaler's `min` (and its `max`, when lower). Every service therefore has a PodDisruptionBudget. "+
		"With 2 or more zones, spreading pods over zones is a scheduling requirement (`whenUnsatisfiable: DoNotSchedule`): a pod that would unbalance the zones stays pending. "+
		"Default requests are %s CPU and %s memory. Validation also requires two zones (or a `singleZoneReason`) and an override `replicas.min` of at least 2.\n\n",
		prod.Replicas, prod3.Replicas, prod.CPU, prod.Memory)
	fmt.Fprintf(w, "In every tier:\n\n")
	fmt.Fprintf(w, "- An environment's `overrides.services[<name>]` replaces the service's `image` and, field by field, its `resources`, and adds to its `env` (the override wins on a shared name). "+
		"Its `replicas` with `min` = `max` fixes the count and drops any autoscaler; with `min` < `max` it creates an autoscaler with that range, even in development and testing, "+
		"using the service's `autoscale` targets or, without them, CPU %d%%. The production floor still applies afterwards.\n", cpu)
	fmt.Fprintf(w, "- An autoscaler with no target set scales on CPU %d%%.\n", cpu)
	fmt.Fprintf(w, "- A PodDisruptionBudget (`maxUnavailable: 1`) exists exactly when the service's lowest replica count — the autoscaler's `min`, or the fixed count — is at least 2.\n")
	fmt.Fprintf(w, "- Pods prefer to spread over nodes and over zones (`maxSkew: 1`, counting only pods of the same rollout); only production with 2+ zones makes the zone spread a requirement.\n")
	fmt.Fprintf(w, "- `region` adds a required node affinity to that region, in any tier.\n")
	fmt.Fprintf(w, "- A canary always runs 1 replica, without autoscaler, and is not covered by the PodDisruptionBudget.\n")
	fmt.Fprintf(w, "- The base (`base/`) is resolved as production with no zones, region or overrides.\n\n")

	scenarios := []scenario{
		{title: "nothing set", svc: web},
		{title: "`replicas: 4`", svc: spec.Service{Name: "web", Replicas: i32(4)}},
		{title: "`autoscale: {min: 1, max: 5}`", svc: spec.Service{Name: "web", Autoscale: &spec.Autoscale{Min: 1, Max: 5}}},
		{title: "override `replicas: {min: 3, max: 3}`", svc: web, ovr: &spec.ServiceOverride{Replicas: &spec.ReplicaRange{Min: 3, Max: 3}}},
		{title: "override `replicas: {min: 4, max: 8}`", svc: web, ovr: &spec.ServiceOverride{Replicas: &spec.ReplicaRange{Min: 4, Max: 8}}},
	}
	fmt.Fprintf(w, "Replicas of a service in each tier (computed with `spec.Resolve`; *N* is a fixed replica count, *HPA a–b* an autoscaler, *+ PDB* a PodDisruptionBudget):\n\n")
	head := []string{"Tier", "Default requests (CPU / memory)"}
	for _, s := range scenarios {
		head = append(head, s.title)
	}
	var table [][]string
	for _, r := range rows {
		p := spec.Resolve(&web, r.env)
		row := []string{r.label, p.CPU + " / " + p.Memory}
		for _, s := range scenarios {
			row = append(row, fmtPlan(resolveIn(s, r.env)))
		}
		table = append(table, row)
	}
	writeTable(w, head, table)

	fmt.Fprintf(w, "\nPlacement and names in each tier, for an environment named `<env>` of a platform with `domain: example.com`:\n\n")
	table = nil
	for _, r := range rows {
		p := &spec.Platform{Spec: spec.PlatformSpec{Domain: "example.com", Environments: []spec.Environment{*r.env}}}
		p.Spec.Environments[0].Isolation = ""
		spec.Default(p)
		e := &p.Spec.Environments[0]
		spread := "preferred"
		if spec.Resolve(&web, e).HardZoneSpread {
			spread = "required"
		}
		table = append(table, []string{r.label, spread, "`" + string(e.Isolation) + "`",
			"`" + spec.Namespace(e, "apps") + "`", "`www." + p.EnvDomain(e) + "`"})
	}
	writeTable(w, []string{"Tier", "Zone spread", "Default `isolation`", "Apps namespace (default isolation)", "Host of `expose: {host: www}`"}, table)
	fmt.Fprintln(w)
}

// writeTable writes a Markdown table; cells must not contain newlines.
func writeTable(w io.Writer, head []string, rows [][]string) {
	esc := func(cells []string) string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		return "| " + strings.Join(out, " | ") + " |"
	}
	fmt.Fprintln(w, esc(head))
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = "---"
	}
	fmt.Fprintln(w, "|"+strings.Join(sep, "|")+"|")
	for _, r := range rows {
		fmt.Fprintln(w, esc(r))
	}
}

// resolvedDefaults are defaults that spec.Default does not fill because they
// depend on the environment; they are computed from Resolve and EnvDomain.
func resolvedDefaults() map[string]string {
	rows := tierRows()
	web := spec.Service{Name: "web"}
	plan := func(t spec.Tier, zones int, s spec.Service) spec.Plan {
		return spec.Resolve(&s, tierOf(rows, t, zones))
	}
	dev, stg := plan(spec.TierDevelopment, 0, web), plan(spec.TierStaging, 0, web)
	prod, prod3 := plan(spec.TierProduction, 0, web), plan(spec.TierProduction, 3, web)
	scaled := web
	scaled.Autoscale = &spec.Autoscale{Min: 2, Max: 4}
	cpu := plan(spec.TierStaging, 0, scaled).HPA.CPUPercent

	p := &spec.Platform{Spec: spec.PlatformSpec{Domain: "<domain>"}}
	devDomain := p.EnvDomain(&spec.Environment{Name: "<name>", Tier: spec.TierDevelopment})
	prodDomain := p.EnvDomain(&spec.Environment{Name: "<name>", Tier: spec.TierProduction})
	byTier := func(d, s string) string {
		return fmt.Sprintf("`%s` in development and testing, `%s` in staging and production ([tiers](#tier-defaults))", d, s)
	}
	return map[string]string{
		"Service.Replicas":        fmt.Sprintf("`%d`; production: at least `%d`, `%d` with 3+ zones ([tiers](#tier-defaults))", stg.Replicas, prod.Replicas, prod3.Replicas),
		"Resources.CPU":           "for services: " + byTier(dev.CPU, stg.CPU),
		"Resources.Memory":        "for services: " + byTier(dev.Memory, stg.Memory),
		"Autoscale.CPUPercent":    fmt.Sprintf("`%d` when no other target is set", cpu),
		"Environment.Domain":      fmt.Sprintf("`%s`; `%s` when `tier` is `production` (`<domain>` is [`spec.domain`](#platformspec))", devDomain, prodDomain),
		"ServiceConfig.MountPath": fmt.Sprintf("`%s` (`<name>` is the service's)", spec.DefaultConfigDir("<name>")),
	}
}
