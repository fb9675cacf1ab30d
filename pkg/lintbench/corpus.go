// Package lintbench generates the lint benchmark corpus: mixed objects
// (Deployments, Services, HPAs, PDBs, NetworkPolicies, RBAC, Ingresses,
// ConfigMaps), half hardened and half with the defects real repositories
// have, spread over files. Deterministic, so figures are comparable.
package lintbench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Generate writes objects objects over files files in dir and returns the
// total size in bytes.
func Generate(dir string, objects, files int) (int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("corpus: %w", err)
	}
	per := (objects + files - 1) / files
	var total int64
	n := 0
	for f := 0; f < files; f++ {
		var b strings.Builder
		for i := 0; i < per && n < objects; i++ {
			if i > 0 {
				b.WriteString("---\n")
			}
			b.WriteString(object(n))
			n++
		}
		p := filepath.Join(dir, fmt.Sprintf("file-%03d.yaml", f))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			return 0, fmt.Errorf("corpus: %w", err)
		}
		total += int64(b.Len())
	}
	return total, nil
}

// object returns the n-th object: a rotation over kinds, odd groups defective.
func object(n int) string {
	group := n / 10
	ns := fmt.Sprintf("team-%d", group%20)
	name := fmt.Sprintf("app-%d", group)
	bad := group%2 == 1
	switch n % 10 {
	case 0, 1:
		return deployment(ns, fmt.Sprintf("%s-%d", name, n%10), bad)
	case 2:
		return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app.kubernetes.io/name: %[1]s
spec:
  type: %[3]s
  selector:
    app.kubernetes.io/name: %[1]s-0
  ports:
    - name: http
      port: 80
      targetPort: http
`, name, ns, pick(bad, "NodePort", "ClusterIP"))
	case 3:
		return fmt.Sprintf(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app.kubernetes.io/name: %[1]s
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: %[1]s-0
  minReplicas: %[3]s
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
`, name, ns, pick(bad, "1", "2"))
	case 4:
		return fmt.Sprintf(`apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app.kubernetes.io/name: %[1]s
spec:
  %[3]s
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s-0
`, name, ns, pick(bad, "maxUnavailable: 0", "maxUnavailable: 1\n  unhealthyPodEvictionPolicy: AlwaysAllow"))
	case 5:
		return fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app.kubernetes.io/name: %[1]s
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: %[1]s-%[3]s
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: edge
      ports:
        - protocol: TCP
          port: 8080
`, name, ns, pick(bad, "missing", "0"))
	case 6:
		return fmt.Sprintf(`apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app.kubernetes.io/name: %[1]s
rules:
  - apiGroups: [""]
    resources: [%[3]s]
    verbs: [%[4]s]
`, name, ns, pick(bad, "\"*\"", "configmaps"), pick(bad, "\"*\"", "get, list, watch"))
	case 7:
		return fmt.Sprintf(`apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app.kubernetes.io/name: %[1]s
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: %[3]s
  name: %[4]s
subjects:
  - kind: ServiceAccount
    name: %[1]s-0
    namespace: %[2]s
`, name, ns, pick(bad, "ClusterRole", "Role"), pick(bad, "cluster-admin", name))
	case 8:
		return fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app.kubernetes.io/name: %[1]s
  annotations:
    nginx.ingress.kubernetes.io/%[3]s
spec:
  ingressClassName: nginx
%[4]s  rules:
    - host: %[1]s.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: %[1]s
                port:
                  name: http
`, name, ns, pick(bad, "configuration-snippet: \"more_set_headers X: y;\"", "ssl-redirect: \"true\""),
			pick(bad, "", fmt.Sprintf("  tls:\n    - hosts: [%s.example.com]\n      secretName: %s-tls\n", name, name)))
	default:
		return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app.kubernetes.io/name: %[1]s
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "checkout,search,recommendations"
  %[3]s
`, name, ns, pick(bad, "DB_PASSWORD: hunter2", "DB_HOST: db.internal"))
	}
}

func pick(bad bool, defective, hardened string) string {
	if bad {
		return defective
	}
	return hardened
}

func deployment(ns, name string, bad bool) string {
	if bad {
		return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
  template:
    metadata:
      labels:
        app.kubernetes.io/name: %[1]s
    spec:
      hostNetwork: true
      containers:
        - name: app
          image: nginx:latest
          ports:
            - containerPort: 80
          securityContext:
            privileged: true
          env:
            - name: API_TOKEN
              value: ghp_0123456789abcdefghijklmnopqrstuvwxyz
`, name, ns)
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app.kubernetes.io/name: %[1]s
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
  strategy:
    type: RollingUpdate
  template:
    metadata:
      labels:
        app.kubernetes.io/name: %[1]s
    spec:
      automountServiceAccountToken: false
      serviceAccountName: %[1]s
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: %[1]s
      containers:
        - name: app
          image: registry.example.com/team/%[1]s@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /ready
              port: http
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 128Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
`, name, ns)
}
