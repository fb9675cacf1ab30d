package generate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/spec"
)

// TestConfigFiles: a service's config files are one immutable ConfigMap
// named after its content, mounted read-only into every pod of the service
// (canary included); an environment's override is another ConfigMap there.
func TestConfigFiles(t *testing.T) {
	p := load(t, "../../examples/shop/platform.yaml")
	for _, env := range []string{"", "dev", "production"} {
		objs := byID(t, p, env)
		cm := objs["apps/ConfigMap/web-config"].Obj.(*corev1.ConfigMap)
		assert.True(t, *cm.Immutable, env)
		assert.Contains(t, cm.Data["web.yaml"], "currency: EUR", "read from examples/shop/config/web.yaml")
		assert.Equal(t, generate.ConfigMapName("web", cm.Data), cm.Name)
		for _, dep := range []string{"web", "web-canary"} {
			d := objs["apps/Deployment/"+dep].Obj.(*appsv1.Deployment)
			pod := d.Spec.Template.Spec
			var vol *corev1.Volume
			for i := range pod.Volumes {
				if pod.Volumes[i].Name == generate.ConfigVolume {
					vol = &pod.Volumes[i]
				}
			}
			require.NotNil(t, vol, "%s %s", env, dep)
			assert.Equal(t, cm.Name, vol.ConfigMap.Name, "%s %s: the pod template names the content", env, dep)
			assert.Equal(t, int32(0o444), *vol.ConfigMap.DefaultMode)
			c := pod.Containers[0]
			assert.True(t, *c.SecurityContext.ReadOnlyRootFilesystem)
			assert.Contains(t, c.VolumeMounts, corev1.VolumeMount{Name: generate.ConfigVolume, MountPath: "/etc/web", ReadOnly: true})
		}
	}
	base := byID(t, p, "")["apps/ConfigMap/email-worker-config"].Obj.(*corev1.ConfigMap)
	dev := byID(t, p, "dev")["apps/ConfigMap/email-worker-config"].Obj.(*corev1.ConfigMap)
	assert.Contains(t, base.Data["worker.toml"], "orders@shop.example.com")
	assert.Contains(t, dev.Data["worker.toml"], "dev-orders@dev.shop.example.com", "dev's override replaces the file")
	assert.NotEqual(t, base.Name, dev.Name, "another content, another ConfigMap: the pods roll")
	assert.Equal(t, base.Name, byID(t, p, "staging")["apps/ConfigMap/email-worker-config"].Obj.(*corev1.ConfigMap).Name)
	w := byID(t, p, "dev")["apps/Deployment/email-worker"].Obj.(*appsv1.Deployment)
	assert.Contains(t, w.Spec.Template.Spec.Containers[0].VolumeMounts, corev1.VolumeMount{Name: generate.ConfigVolume, MountPath: "/etc/email-worker", ReadOnly: true})
	_, other := byID(t, p, "")["apps/ConfigMap/orders-config"]
	assert.False(t, other, "no config, no ConfigMap")
}

// TestConfigOverrideOnly: a service without config gets the override's
// files at /etc/<name> in that environment only.
func TestConfigOverrideOnly(t *testing.T) {
	text := "x: 1\n"
	p := load(t, "../../examples/minimal/platform.yaml")
	p.Spec.Environments[0].Overrides.Services = map[string]spec.ServiceOverride{
		"hello": {Config: &spec.ConfigOverride{Files: map[string]spec.ConfigFile{"a.yaml": {Content: &text}}}},
	}
	_, inBase := byID(t, p, "")["apps/ConfigMap/hello-config"]
	assert.False(t, inBase)
	dev := byID(t, p, "dev")
	cm := dev["apps/ConfigMap/hello-config"].Obj.(*corev1.ConfigMap)
	assert.Equal(t, map[string]string{"a.yaml": text}, cm.Data)
	d := dev["apps/Deployment/hello"].Obj.(*appsv1.Deployment)
	assert.Contains(t, d.Spec.Template.Spec.Containers[0].VolumeMounts, corev1.VolumeMount{Name: generate.ConfigVolume, MountPath: "/etc/hello", ReadOnly: true})
}

// TestConfigNotRead: a Platform built in code whose file: was never read is
// an error, not an empty file.
func TestConfigNotRead(t *testing.T) {
	p := load(t, "../../examples/minimal/platform.yaml")
	p.Spec.Services[0].Config = &spec.ServiceConfig{MountPath: "/etc/hello", Files: map[string]spec.ConfigFile{"a.yaml": {File: "a.yaml"}}}
	_, err := generate.Objects(p, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "was not read")
}

// TestPlatformMountsCoverGenerated: spec.PlatformMounts, which a config
// mountPath must keep clear of, covers every directory the generator mounts
// into a service container besides the config.
func TestPlatformMountsCoverGenerated(t *testing.T) {
	p := load(t, "../../examples/shop/platform.yaml")
	for _, o := range byID(t, p, "production") {
		d, ok := o.Obj.(*appsv1.Deployment)
		if !ok || o.Area != "apps" {
			continue
		}
		for _, m := range d.Spec.Template.Spec.Containers[0].VolumeMounts {
			if m.Name == generate.ConfigVolume {
				continue
			}
			covered := false
			for _, pm := range spec.PlatformMounts {
				covered = covered || m.MountPath == pm || strings.HasPrefix(m.MountPath, pm+"/")
			}
			assert.True(t, covered, "%s mounts %s, which spec.PlatformMounts does not cover", o.ID, m.MountPath)
		}
	}
}

// TestConfigInBatchPods: a cronjob's Jobs and a migration Job mount the
// service's config like its Deployments, and the ConfigMap is rendered for
// a cronjob too (it has no Deployment).
func TestConfigInBatchPods(t *testing.T) {
	text := "x: 1\n"
	p := load(t, "../../examples/shop/platform.yaml")
	for i := range p.Spec.Services {
		svc := &p.Spec.Services[i]
		if svc.Name == "sales-report" || svc.Name == "orders" {
			svc.Config = &spec.ServiceConfig{MountPath: "/etc/" + svc.Name, Files: map[string]spec.ConfigFile{"a.yaml": {Content: &text}}}
		}
	}
	objs := byID(t, p, "production")
	for _, svc := range []string{"sales-report", "orders"} {
		cm, ok := objs["apps/ConfigMap/"+svc+"-config"]
		require.True(t, ok, svc)
		name := cm.Obj.(*corev1.ConfigMap).Name
		var pods []corev1.PodSpec
		for _, o := range objs {
			switch w := o.Obj.(type) {
			case *batchv1.CronJob:
				if w.Name == svc {
					pods = append(pods, w.Spec.JobTemplate.Spec.Template.Spec)
				}
			case *batchv1.Job:
				if strings.HasPrefix(w.Name, svc+"-migrate-") {
					pods = append(pods, w.Spec.Template.Spec)
				}
			}
		}
		require.NotEmpty(t, pods, svc)
		for _, pod := range pods {
			assert.Contains(t, pod.Containers[0].VolumeMounts, corev1.VolumeMount{Name: generate.ConfigVolume, MountPath: "/etc/" + svc, ReadOnly: true}, svc)
			found := false
			for _, v := range pod.Volumes {
				found = found || (v.ConfigMap != nil && v.ConfigMap.Name == name)
			}
			assert.True(t, found, "%s: the pod mounts %s", svc, name)
		}
	}
}
