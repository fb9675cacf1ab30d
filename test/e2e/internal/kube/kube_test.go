package kube

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func mustObject(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	objs, err := Decode([]byte(y))
	require.NoError(t, err)
	require.Len(t, objs, 1)
	return objs[0]
}

func TestMissing(t *testing.T) {
	cases := []struct {
		name   string
		sent   string
		stored string
		want   []string
	}{
		{
			name:   "server additions are fine",
			sent:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}",
			stored: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, uid: x, resourceVersion: '1'}\ndata: {k: v}",
		},
		{
			name:   "dropped field is reported",
			sent:   "apiVersion: x/v1\nkind: K\nmetadata: {name: a}\nspec: {keep: 1, extra: {deep: true}}",
			stored: "apiVersion: x/v1\nkind: K\nmetadata: {name: a}\nspec: {keep: 1}",
			want:   []string{".spec.extra: dropped by the server (sent an object with 1 fields)"},
		},
		{
			name:   "changed value is reported",
			sent:   "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80, targetPort: 0}]}",
			stored: "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80, targetPort: 80, protocol: TCP}]}",
			want:   []string{".spec.ports[0].targetPort: sent 0, stored 80"},
		},
		{
			name:   "list length change is reported",
			sent:   "apiVersion: v1\nkind: K\nmetadata: {name: a}\nspec: {l: [1, 2]}",
			stored: "apiVersion: v1\nkind: K\nmetadata: {name: a}\nspec: {l: [1]}",
			want:   []string{".spec.l: sent 2 items, stored 1"},
		},
		{
			name:   "quantities and numbers compare by value",
			sent:   "apiVersion: v1\nkind: K\nmetadata: {name: a}\nspec: {cpu: '0.5', mem: 1Gi, n: 1.0}",
			stored: "apiVersion: v1\nkind: K\nmetadata: {name: a}\nspec: {cpu: 500m, mem: '1073741824', n: 1}",
		},
		{
			name:   "nulls and empty values need not be stored",
			sent:   "apiVersion: v1\nkind: K\nmetadata: {name: a, creationTimestamp: null, annotations: {}}\nspec: {l: []}",
			stored: "apiVersion: v1\nkind: K\nmetadata: {name: a}",
		},
		{
			name:   "secret stringData is stored as data",
			sent:   "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\nstringData: {token: abc}",
			stored: "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\ndata: {token: YWJj}\ntype: Opaque",
		},
		{
			name:   "different strings are reported",
			sent:   "apiVersion: v1\nkind: K\nmetadata: {name: a}\nspec: {image: web:1}",
			stored: "apiVersion: v1\nkind: K\nmetadata: {name: a}\nspec: {image: web:2}",
			want:   []string{`.spec.image: sent "web:1", stored "web:2"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Missing(mustObject(t, tc.sent), mustObject(t, tc.stored))
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestPodFromWorkload(t *testing.T) {
	cases := []struct {
		name    string
		obj     string
		wantPod string // YAML of the expected Pod; empty means none
	}{
		{
			name: "deployment",
			obj: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps, labels: {tier: x}}
spec:
  template:
    metadata: {labels: {app: web}, annotations: {a: b}}
    spec: {containers: [{name: web, image: web:1}]}`,
			wantPod: `apiVersion: v1
kind: Pod
metadata: {name: web-e2e-pod, namespace: apps, labels: {app: web}, annotations: {a: b}}
spec: {containers: [{name: web, image: web:1}]}`,
		},
		{
			name: "cronjob",
			obj: `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: data}
spec:
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: Never, containers: [{name: b, image: b:1}]}`,
			wantPod: `apiVersion: v1
kind: Pod
metadata: {name: backup-e2e-pod, namespace: data}
spec: {restartPolicy: Never, containers: [{name: b, image: b:1}]}`,
		},
		{
			name: "argo rollout",
			obj: `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: orders, namespace: apps}
spec:
  strategy: {canary: {steps: [{setWeight: 10}]}}
  template:
    metadata: {labels: {app: orders}}
    spec: {containers: [{name: orders, image: orders:2}]}`,
			wantPod: `apiVersion: v1
kind: Pod
metadata: {name: orders-e2e-pod, namespace: apps, labels: {app: orders}}
spec: {containers: [{name: orders, image: orders:2}]}`,
		},
		{
			name: "another CRD with a template",
			obj:  "apiVersion: example.com/v1\nkind: Rollout\nmetadata: {name: x}\nspec: {template: {spec: {containers: [{name: x, image: x:1}]}}}",
		},
		{
			name: "not a workload",
			obj:  "apiVersion: v1\nkind: Service\nmetadata: {name: web}",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pod, err := PodFromWorkload(mustObject(t, tc.obj))
			require.NoError(t, err)
			if tc.wantPod == "" {
				assert.Nil(t, pod)
				return
			}
			var want map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(tc.wantPod), &want))
			require.NotNil(t, pod)
			assert.Equal(t, want, pod.Object)
		})
	}
}

func TestPodFromWorkloadWithoutTemplate(t *testing.T) {
	_, err := PodFromWorkload(mustObject(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {}"))
	assert.ErrorContains(t, err, "has no .spec.template")
	_, err = PodFromWorkload(mustObject(t, "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web}\nspec: {}"))
	assert.ErrorContains(t, err, "has no .spec.template")
	// A Rollout referring to a Deployment's template has no Pod of its own.
	pod, err := PodFromWorkload(mustObject(t, "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web}\nspec: {workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}}"))
	assert.NoError(t, err)
	assert.Nil(t, pod)
}

func TestDuplicates(t *testing.T) {
	objs, err := Decode([]byte(`apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: x}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: y}
---
apiVersion: v1
kind: Secret
metadata: {name: a, namespace: x}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: x}
`))
	require.NoError(t, err)
	assert.Equal(t, []Problem{{Object: "ConfigMap x/a", Reason: ReasonDuplicate, Message: "rendered more than once"}}, Duplicates(objs))
}
