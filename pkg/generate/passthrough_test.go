package generate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/platformctl/platformctl/pkg/generate"
)

// passSpec uses every pass-through field on a server with a canary and a
// migration and on a cronjob, and calls the server's extra ports.
const passSpec = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: shop}
spec:
  domain: shop.example.com
  environments:
    - {name: dev, tier: development}
  cicd: {gitops: argocd, repoURL: "https://github.com/acme/deploy"}
  services:
    - name: orders
      image: ghcr.io/acme/orders:1.0.0
      protocol: grpc
      port: 9090
      expose: {host: api}
      canary: {weight: 5, image: ghcr.io/acme/orders:1.1.0}
      migrate: {command: [/orders, migrate]}
      resources: {cpu: 100m, memory: 128Mi}
      podAnnotations: {vault.hashicorp.com/agent-inject: "true"}
      podLabels: {example.com/team: commerce}
      ports: [{name: admin, port: 9091}]
      volumes:
        - {name: cache, mountPath: /cache, emptyDir: {sizeLimit: 1Gi}}
        - {name: keys, mountPath: /keys, readOnly: true, emptyDir: {sizeLimit: 32Mi, medium: Memory}}
        - {name: archive, mountPath: /archive, readOnly: true, claimName: orders-archive}
      sidecars:
        - name: agent
          image: ghcr.io/acme/agent:2.0.0
          args: [--out=/keys]
          env: {B: "2", A: "1"}
          ports: [{name: agent-http, port: 8500}]
          mounts: [{volume: keys, mountPath: /out}]
      initContainers:
        - name: setup
          image: ghcr.io/acme/setup:3.0.0
          command: [/setup]
          resources: {cpu: 10m, memory: 16Mi}
          mounts: [{volume: archive, readOnly: true}]
    - name: report
      kind: cronjob
      schedule: "0 3 * * *"
      image: ghcr.io/acme/report:1.0.0
      podAnnotations: {example.com/run: nightly}
      podLabels: {example.com/team: finance}
      calls: [{service: orders, port: admin}, {service: orders, port: agent-http}, orders]
      sidecars:
        - name: proxy
          image: ghcr.io/acme/proxy:1.0.0
`

func passObjects(t *testing.T) map[string]generate.Object {
	t.Helper()
	return sourceObjects(t, passSpec, "dev")
}

// pods are the pod templates of every workload of a service.
func passPods(t *testing.T, objs map[string]generate.Object) map[string]corev1.PodTemplateSpec {
	t.Helper()
	out := map[string]corev1.PodTemplateSpec{}
	for id, o := range objs {
		switch w := o.Obj.(type) {
		case *appsv1.Deployment:
			out[id] = w.Spec.Template
		case *batchv1.CronJob:
			out[id] = w.Spec.JobTemplate.Spec.Template
		case *batchv1.Job:
			out[id] = w.Spec.Template
		}
	}
	return out
}

func TestPassThroughOnEveryPod(t *testing.T) {
	objs := passObjects(t)
	pods := passPods(t, objs)
	for _, id := range []string{"apps/Deployment/orders", "apps/Deployment/orders-canary", "apps/Job/orders-migrate", "apps/CronJob/report"} {
		require.Contains(t, pods, id)
	}
	for id, tmpl := range pods {
		t.Run(id, func(t *testing.T) {
			team := "commerce"
			if id == "apps/CronJob/report" {
				team = "finance"
				assert.Equal(t, map[string]string{"example.com/run": "nightly"}, tmpl.Annotations)
			} else {
				assert.Equal(t, map[string]string{"vault.hashicorp.com/agent-inject": "true"}, tmpl.Annotations)
			}
			assert.Equal(t, team, tmpl.Labels["example.com/team"])
			// platformctl's own labels are still there.
			assert.NotEmpty(t, tmpl.Labels[generate.LabelName])
			assert.NotEmpty(t, tmpl.Labels[generate.LabelTrack])

			// Every container, sidecars and init containers included, is
			// hardened like the service's and has requests and limits.
			all := append(append([]corev1.Container(nil), tmpl.Spec.InitContainers...), tmpl.Spec.Containers...)
			require.NotEmpty(t, tmpl.Spec.InitContainers)
			for _, c := range all {
				sc := c.SecurityContext
				require.NotNil(t, sc, c.Name)
				assert.True(t, *sc.ReadOnlyRootFilesystem, c.Name)
				assert.False(t, *sc.AllowPrivilegeEscalation, c.Name)
				assert.True(t, *sc.RunAsNonRoot, c.Name)
				assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop, c.Name)
				for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
					assert.Contains(t, c.Resources.Requests, r, c.Name)
				}
				assert.Contains(t, c.Resources.Limits, corev1.ResourceMemory, c.Name)
				assert.Equal(t, corev1.PullAlways, c.ImagePullPolicy, c.Name)
				assert.Equal(t, "/tmp", c.VolumeMounts[0].MountPath, c.Name)
			}
			assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, tmpl.Spec.SecurityContext.SeccompProfile.Type)
			// Sidecars are native: restartPolicy Always, before the init
			// containers. A run's pod has no Service, so no ports.
			first := tmpl.Spec.InitContainers[0]
			require.NotNil(t, first.RestartPolicy)
			assert.Equal(t, corev1.ContainerRestartPolicyAlways, *first.RestartPolicy)
			if id == "apps/Job/orders-migrate" || id == "apps/CronJob/report" {
				for _, c := range all {
					assert.Empty(t, c.Ports, c.Name)
				}
			}
		})
	}
}

func TestPassThroughContainersAndVolumes(t *testing.T) {
	tmpl := passPods(t, passObjects(t))["apps/Deployment/orders"]
	spec := tmpl.Spec
	require.Len(t, spec.InitContainers, 2)
	agent, setup := spec.InitContainers[0], spec.InitContainers[1]
	assert.Equal(t, "agent", agent.Name)
	assert.Equal(t, []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}}, agent.Env, "env in name order")
	assert.Equal(t, []corev1.ContainerPort{{Name: "agent-http", ContainerPort: 8500, Protocol: corev1.ProtocolTCP}}, agent.Ports)
	assert.Equal(t, []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}, {Name: "keys", MountPath: "/out"}}, agent.VolumeMounts)
	// Default requests for a sidecar; limits derive from them.
	assert.Equal(t, "50m", agent.Resources.Requests.Cpu().String())
	assert.Equal(t, "100m", agent.Resources.Limits.Cpu().String())
	assert.Equal(t, "64Mi", agent.Resources.Limits.Memory().String())

	assert.Equal(t, "setup", setup.Name)
	assert.Nil(t, setup.RestartPolicy, "an init container runs to completion")
	assert.Equal(t, []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}, {Name: "archive", MountPath: "/archive", ReadOnly: true}}, setup.VolumeMounts)
	assert.Equal(t, "16Mi", setup.Resources.Requests.Memory().String())

	main := spec.Containers[0]
	assert.Contains(t, main.Ports, corev1.ContainerPort{Name: "admin", ContainerPort: 9091, Protocol: corev1.ProtocolTCP})
	assert.NotContains(t, main.Ports, corev1.ContainerPort{Name: "agent-http", ContainerPort: 8500, Protocol: corev1.ProtocolTCP}, "the sidecar's port is the sidecar's")
	for _, m := range []corev1.VolumeMount{{Name: "cache", MountPath: "/cache"}, {Name: "keys", MountPath: "/keys", ReadOnly: true}, {Name: "archive", MountPath: "/archive", ReadOnly: true}} {
		assert.Contains(t, main.VolumeMounts, m)
	}
	// The disk emptyDir grows ephemeral-storage, the Memory one memory,
	// requests and limits alike.
	eq := func(want string, got resource.Quantity, what string) {
		t.Helper()
		w := resource.MustParse(want)
		assert.Zero(t, w.Cmp(got), "%s: %s", what, got.String())
	}
	eq("1088Mi", main.Resources.Requests[corev1.ResourceEphemeralStorage], "ephemeral-storage request (64Mi + 1Gi)")
	eq("1280Mi", main.Resources.Limits[corev1.ResourceEphemeralStorage], "ephemeral-storage limit (256Mi + 1Gi)")
	eq("160Mi", main.Resources.Requests[corev1.ResourceMemory], "memory request (128Mi + 32Mi)")
	eq("160Mi", main.Resources.Limits[corev1.ResourceMemory], "memory limit (128Mi + 32Mi)")

	vols := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		vols[v.Name] = v
	}
	require.NotNil(t, vols["cache"].EmptyDir)
	assert.Equal(t, corev1.StorageMedium(""), vols["cache"].EmptyDir.Medium)
	assert.Equal(t, "1Gi", vols["cache"].EmptyDir.SizeLimit.String())
	require.NotNil(t, vols["keys"].EmptyDir)
	assert.Equal(t, corev1.StorageMediumMemory, vols["keys"].EmptyDir.Medium)
	assert.Equal(t, &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "orders-archive", ReadOnly: true}, vols["archive"].PersistentVolumeClaim)
}

func TestPassThroughPortsAndCalls(t *testing.T) {
	objs := passObjects(t)
	svc := objs["apps/Service/orders"].Obj.(*corev1.Service)
	byName := map[string]corev1.ServicePort{}
	for _, p := range svc.Spec.Ports {
		byName[p.Name] = p
	}
	assert.Equal(t, int32(9091), byName["admin"].Port)
	assert.Equal(t, "admin", byName["admin"].TargetPort.StrVal)
	assert.Equal(t, int32(8500), byName["agent-http"].Port, "a sidecar's port is a Service port too")
	assert.Contains(t, objs["apps/Service/orders-canary"].Obj.(*corev1.Service).Spec.Ports, byName["admin"])

	// The caller's variables: one per called port.
	report := objs["apps/CronJob/report"].Obj.(*batchv1.CronJob).Spec.JobTemplate.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range report.Env {
		env[e.Name] = e.Value
	}
	assert.Equal(t, "orders.dev-apps.svc.cluster.local:9091", env["ORDERS_ADMIN_ADDR"])
	assert.Equal(t, "orders.dev-apps.svc.cluster.local:8500", env["ORDERS_AGENT_HTTP_ADDR"])
	assert.Equal(t, "orders.dev-apps.svc.cluster.local:9090", env["ORDERS_ADDR"])

	// Exactly the called ports, each from the caller only.
	var in []int32
	for _, r := range objs["apps/NetworkPolicy/orders"].Obj.(*networkingv1.NetworkPolicy).Spec.Ingress {
		for _, peer := range r.From {
			if peer.PodSelector != nil && peer.PodSelector.MatchLabels[generate.LabelName] == "report" {
				for _, p := range r.Ports {
					in = append(in, p.Port.IntVal)
				}
			}
		}
	}
	assert.ElementsMatch(t, []int32{9091, 8500, 9090}, in)
	var out []int32
	for _, r := range objs["apps/NetworkPolicy/report"].Obj.(*networkingv1.NetworkPolicy).Spec.Egress {
		for _, peer := range r.To {
			if peer.PodSelector != nil && peer.PodSelector.MatchLabels[generate.LabelName] == "orders" {
				for _, p := range r.Ports {
					out = append(out, p.Port.IntVal)
				}
			}
		}
	}
	assert.ElementsMatch(t, []int32{9091, 8500, 9090}, out)
}
