package spec

import (
	"reflect"
	"testing"
)

func i32(v int32) *int32 { return &v }

func TestResolve(t *testing.T) {
	web := Service{Name: "web", Image: "ghcr.io/acme/web:1.4.2", Env: map[string]string{"LOG_LEVEL": "info"}}
	autoscaled := web
	autoscaled.Autoscale = &Autoscale{Min: 1, Max: 2}
	fixed := web
	fixed.Replicas = i32(5)

	zones := func(n int) []string { return []string{"a", "b", "c"}[:n] }
	prod := func(n int) *Environment {
		return &Environment{Name: "production", Tier: TierProduction, Zones: zones(n)}
	}
	withOverride := func(e *Environment, o ServiceOverride) *Environment {
		e.Overrides.Services = map[string]ServiceOverride{"web": o}
		return e
	}

	tests := []struct {
		name string
		svc  Service
		env  *Environment
		// want lists the fields checked; HPA is compared as min/max only.
		replicas, minReplicas int32
		hpa                   *[2]int32
		pdb, hardSpread       bool
		cpu, memory           string
	}{
		{
			name: "development: one replica, no HPA, no PDB, small requests",
			svc:  autoscaled, env: &Environment{Name: "dev", Tier: TierDevelopment},
			replicas: 1, minReplicas: 1, cpu: "100m", memory: "128Mi",
		},
		{
			name: "development ignores a fixed replica count",
			svc:  fixed, env: &Environment{Name: "dev", Tier: TierDevelopment},
			replicas: 1, minReplicas: 1, cpu: "100m", memory: "128Mi",
		},
		{
			name: "testing is as small as development",
			svc:  autoscaled, env: &Environment{Name: "testing", Tier: TierTesting},
			replicas: 1, minReplicas: 1, cpu: "100m", memory: "128Mi",
		},
		{
			name: "staging raises the HPA to the floor of 2 and gets a PDB, with production requests",
			svc:  autoscaled, env: &Environment{Name: "staging", Tier: TierStaging},
			replicas: 1, minReplicas: 2, hpa: &[2]int32{2, 2}, pdb: true, cpu: "250m", memory: "256Mi",
		},
		{
			name: "production, three zones: HPA floor 3, PDB, hard zone spread",
			svc:  autoscaled, env: prod(3),
			replicas: 1, minReplicas: 3, hpa: &[2]int32{3, 3}, pdb: true, hardSpread: true, cpu: "250m", memory: "256Mi",
		},
		{
			name: "production, two zones: floor 2",
			svc:  autoscaled, env: prod(2),
			replicas: 1, minReplicas: 2, hpa: &[2]int32{2, 2}, pdb: true, hardSpread: true, cpu: "250m", memory: "256Mi",
		},
		{
			name: "production, one zone: floor 2 and no hard spread",
			svc:  web, env: prod(1),
			replicas: 2, minReplicas: 2, pdb: true, cpu: "250m", memory: "256Mi",
		},
		{
			name: "production, three zones, no autoscale: three fixed replicas",
			svc:  web, env: prod(3),
			replicas: 3, minReplicas: 3, pdb: true, hardSpread: true, cpu: "250m", memory: "256Mi",
		},
		{
			name: "production keeps a fixed count above the floor",
			svc:  fixed, env: prod(3),
			replicas: 5, minReplicas: 5, pdb: true, hardSpread: true, cpu: "250m", memory: "256Mi",
		},
		{
			name: "base (nil env) is production without zones",
			svc:  web, env: nil,
			replicas: 2, minReplicas: 2, pdb: true, cpu: "250m", memory: "256Mi",
		},
		{
			name: "override min == max: fixed replicas, HPA dropped",
			svc:  autoscaled, env: withOverride(prod(3), ServiceOverride{Replicas: &ReplicaRange{Min: 4, Max: 4}}),
			replicas: 4, minReplicas: 4, pdb: true, hardSpread: true, cpu: "250m", memory: "256Mi",
		},
		{
			name: "override min == max in development is honoured",
			svc:  web, env: withOverride(&Environment{Name: "dev", Tier: TierDevelopment}, ServiceOverride{Replicas: &ReplicaRange{Min: 2, Max: 2}}),
			replicas: 2, minReplicas: 2, pdb: true, cpu: "100m", memory: "128Mi",
		},
		{
			name: "override range adds an HPA to a service without autoscale",
			svc:  web, env: withOverride(prod(3), ServiceOverride{Replicas: &ReplicaRange{Min: 4, Max: 30}, Resources: &Resources{CPU: "500m"}}),
			replicas: 1, minReplicas: 4, hpa: &[2]int32{4, 30}, pdb: true, hardSpread: true, cpu: "500m", memory: "256Mi",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := Resolve(&tt.svc, tt.env)
			if pl.Replicas != tt.replicas || pl.MinReplicas != tt.minReplicas {
				t.Errorf("replicas %d min %d, want %d min %d", pl.Replicas, pl.MinReplicas, tt.replicas, tt.minReplicas)
			}
			switch {
			case tt.hpa == nil && pl.HPA != nil:
				t.Errorf("HPA %+v, want none", *pl.HPA)
			case tt.hpa != nil && pl.HPA == nil:
				t.Errorf("no HPA, want min %d max %d", tt.hpa[0], tt.hpa[1])
			case tt.hpa != nil && (pl.HPA.Min != tt.hpa[0] || pl.HPA.Max != tt.hpa[1]):
				t.Errorf("HPA min %d max %d, want %d %d", pl.HPA.Min, pl.HPA.Max, tt.hpa[0], tt.hpa[1])
			}
			if pl.HPA != nil && pl.HPA.CPUPercent == 0 && pl.HPA.MemoryPercent == 0 && pl.HPA.RequestsPerSecond == 0 && pl.HPA.QueueDepth == 0 {
				t.Errorf("HPA has no metric: %+v", *pl.HPA)
			}
			if pl.PDB != tt.pdb {
				t.Errorf("PDB %v, want %v", pl.PDB, tt.pdb)
			}
			if pl.HardZoneSpread != tt.hardSpread {
				t.Errorf("HardZoneSpread %v, want %v", pl.HardZoneSpread, tt.hardSpread)
			}
			if pl.CPU != tt.cpu || pl.Memory != tt.memory {
				t.Errorf("requests %s/%s, want %s/%s", pl.CPU, pl.Memory, tt.cpu, tt.memory)
			}
		})
	}
}

// Resolve must hand out copies: the same Service renders in every
// environment, so a plan that aliased its HPA or env would leak one
// environment's overrides into the next.
func TestResolveDoesNotMutateService(t *testing.T) {
	svc := Service{Name: "web", Image: "ghcr.io/acme/web:1.4.2",
		Autoscale: &Autoscale{Min: 1, Max: 2}, Env: map[string]string{"A": "1"}}
	env := &Environment{Name: "production", Tier: TierProduction, Zones: []string{"a", "b", "c"},
		Overrides: Overrides{Services: map[string]ServiceOverride{"web": {
			Image: "ghcr.io/acme/web:1.5.0", Env: map[string]string{"A": "2", "B": "3"}}}}}
	pl := Resolve(&svc, env)
	if pl.Image != "ghcr.io/acme/web:1.5.0" || !reflect.DeepEqual(pl.Env, map[string]string{"A": "2", "B": "3"}) {
		t.Errorf("override not applied: image %s env %v", pl.Image, pl.Env)
	}
	if svc.Autoscale.Min != 1 || svc.Autoscale.Max != 2 || svc.Autoscale.CPUPercent != 0 {
		t.Errorf("service autoscale changed: %+v", *svc.Autoscale)
	}
	if !reflect.DeepEqual(svc.Env, map[string]string{"A": "1"}) || svc.Image != "ghcr.io/acme/web:1.4.2" {
		t.Errorf("service changed: image %s env %v", svc.Image, svc.Env)
	}
}

func TestNamespace(t *testing.T) {
	tests := []struct {
		name string
		env  *Environment
		want string
	}{
		{"base", nil, "apps"},
		{"cluster isolation keeps plain names", &Environment{Name: "production", Isolation: IsolationCluster}, "apps"},
		{"namespace isolation prefixes the environment", &Environment{Name: "dev", Isolation: IsolationNamespace}, "dev-apps"},
	}
	for _, tt := range tests {
		if got := Namespace(tt.env, "apps"); got != tt.want {
			t.Errorf("%s: Namespace = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Isolation defaults by tier, and Namespace follows the defaulted value.
func TestDefaultIsolation(t *testing.T) {
	p := &Platform{Spec: PlatformSpec{Environments: []Environment{
		{Name: "dev", Tier: TierDevelopment},
		{Name: "staging", Tier: TierStaging},
		{Name: "production", Tier: TierProduction},
		{Name: "shared-prod", Tier: TierProduction, Isolation: IsolationNamespace},
	}}}
	Default(p)
	want := map[string]string{"dev": "dev-data", "staging": "staging-data", "production": "data", "shared-prod": "shared-prod-data"}
	for i := range p.Spec.Environments {
		e := &p.Spec.Environments[i]
		if got := Namespace(e, "data"); got != want[e.Name] {
			t.Errorf("%s (%s): Namespace = %q, want %q", e.Name, e.Isolation, got, want[e.Name])
		}
	}
}

func TestEnvDomain(t *testing.T) {
	p := &Platform{Spec: PlatformSpec{Domain: "shop.example.com"}}
	tests := []struct {
		name string
		env  *Environment
		want string
	}{
		{"base", nil, "shop.example.com"},
		{"production serves the platform domain", &Environment{Name: "production", Tier: TierProduction}, "shop.example.com"},
		{"other tiers get a subdomain", &Environment{Name: "dev", Tier: TierDevelopment}, "dev.shop.example.com"},
		{"staging too", &Environment{Name: "staging", Tier: TierStaging}, "staging.shop.example.com"},
		{"an explicit domain wins", &Environment{Name: "eu", Tier: TierProduction, Domain: "shop.example.eu"}, "shop.example.eu"},
		{"also outside production", &Environment{Name: "dev", Tier: TierDevelopment, Domain: "dev.internal"}, "dev.internal"},
	}
	for _, tt := range tests {
		if got := p.EnvDomain(tt.env); got != tt.want {
			t.Errorf("%s: EnvDomain = %q, want %q", tt.name, got, tt.want)
		}
	}
}
